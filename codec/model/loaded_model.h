// A model file read from disk, with the hash a stream header records for it.
#pragma once

#include <string>

#include "common/hash.h"
#include "model/model_file.h"

namespace vaec::model {

struct LoadedModel {
  IntraModel model;
  ModelHash hash{};  // XXH3-128 of the file's bytes (common/hash.h)
  std::string path;
};

// Throws ModelFileError with a message naming the file and the reason.
LoadedModel load_model(const std::string& path);

}  // namespace vaec::model
