// Where the model comes from: --model, else $VAEC_MODEL, else the bundled models (samples/:
// the encoder takes its preset's, the decoder the one the stream names; vaec.h model_path).
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace vaec::cli {

// The directory of the bundled models.
std::string bundled_models_dir();
// Adds --model to a subcommand.
void add_model_option(CLI::App& sub, std::string& path);
// The path to use: `given` if non-empty, else $VAEC_MODEL, else the bundled models' directory.
std::string resolve_model_path(const std::string& given);
// The bundled model file whose hash is `hash` (16 bytes), or "" when none is.
std::string bundled_model_with_hash(const uint8_t* hash);

}  // namespace vaec::cli
