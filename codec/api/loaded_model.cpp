#include "api/loaded_model.h"

#include <fstream>
#include <iterator>
#include <stdexcept>

namespace vaec::api {

LoadedModel load_model(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open the model file");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw std::runtime_error(path + ": cannot read the model file");
  LoadedModel m{model::IntraModel::parse(bytes, path), bitstream::compute_model_hash(bytes.data(), bytes.size()), path};
  return m;
}

std::string hash_hex(const bitstream::ModelHash& hash) {
  static const char digits[] = "0123456789abcdef";
  std::string s;
  for (uint8_t b : hash) {
    s += digits[b >> 4];
    s += digits[b & 15];
  }
  return s;
}

}  // namespace vaec::api
