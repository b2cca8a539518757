// A directory of models (the bundled set, samples/): VaecSettings.model_path may name one
// instead of a file. The encoder then takes its preset's model there, the decoder the model
// whose hash the stream header names; a stream whose model is not there is refused with the
// hash it needs.
#pragma once

#include <string>
#include <vector>

#include "common/hash.h"

namespace vaec::api {

// The bundled models, by preset (README.md "Presets"): `fast` has the narrow synthesis, which
// decodes twice as fast; the other presets the full-width one.
constexpr const char* kFastModelFile = "vaec.vaem";
constexpr const char* kModelFile = "vaec-wide.vaem";

bool is_model_directory(const std::string& path);

// The model file of `preset` (a VaecPreset) in `dir`.
std::string preset_model(const std::string& dir, int preset);

struct ModelEntry {
  std::string path;
  ModelHash hash{};
};
// Every *.vaem file in `dir`, sorted by name, with its hash (unreadable files are left out).
std::vector<ModelEntry> list_models(const std::string& dir);

}  // namespace vaec::api
