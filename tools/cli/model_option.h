// Where the model file comes from: --model, else $VAEC_MODEL, else the bundled one.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace vaec::cli {

std::string bundled_model_path();
// Adds --model to a subcommand, defaulting (at parse time) to $VAEC_MODEL or the bundled model.
void add_model_option(CLI::App& sub, std::string& path);
// The path to use: `given` if non-empty, else $VAEC_MODEL, else the bundled model.
std::string resolve_model_path(const std::string& given);

}  // namespace vaec::cli
