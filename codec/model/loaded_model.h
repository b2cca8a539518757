// The full model file read from disk, with the hash a stream header records for it.
#pragma once

#include <string>

#include "common/hash.h"
#include "model/model_file.h"

namespace vaec::model {

using LoadedModel = Loaded<IntraModel>;  // the full model (the encoder's)

// Throws ModelFileError with a message naming the file and the reason.
LoadedModel load_model(const std::string& path);

}  // namespace vaec::model
