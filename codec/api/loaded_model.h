// A model file read from disk, with the hash the bitstream records for it.
#pragma once

#include <string>

#include "bitstream/container.h"
#include "model/model_file.h"

namespace vaec::api {

struct LoadedModel {
  model::IntraModel model;
  bitstream::ModelHash hash{};  // XXH3-128 of the file's bytes
  std::string path;
};

// Throws std::runtime_error with a message naming the file and the reason.
LoadedModel load_model(const std::string& path);

// Lower-case hex, as `vaec info` and error messages print it.
std::string hash_hex(const bitstream::ModelHash& hash);

}  // namespace vaec::api
