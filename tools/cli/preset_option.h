// --preset fast|medium|slow|veryslow (vaec.h VaecPreset), shared by encode, bench and eval.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace vaec::cli {

// Adds --preset (or `name`) to `sub`, storing a VaecPreset in `preset` (default medium).
CLI::Option* add_preset_option(CLI::App& sub, int& preset, const std::string& name = "--preset");

}  // namespace vaec::cli
