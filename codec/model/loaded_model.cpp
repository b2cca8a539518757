#include "model/loaded_model.h"

#include <fstream>
#include <iterator>
#include <new>

namespace vaec::model {

LoadedModel load_model(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ModelFileError(path + ": cannot open the model file");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw ModelFileError(path + ": cannot read the model file");
  try {
    return LoadedModel{IntraModel::parse(bytes, path), compute_model_hash(bytes.data(), bytes.size()), path};
  } catch (const ModelFileError&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {  // e.g. LibTorch refusing a tensor: still a bad model file
    throw ModelFileError(path + ": not a usable model file (" + e.what() + ")");
  }
}

}  // namespace vaec::model
