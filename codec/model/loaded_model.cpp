#include "model/loaded_model.h"

namespace vaec::model {

LoadedModel load_model(const std::string& path) { return load_model_file<IntraModel>(path, IntraModel::parse); }

}  // namespace vaec::model
