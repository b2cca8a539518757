#include "cli/model_option.h"

#include <cstdlib>
#include <cstring>
#include <filesystem>

#include <fstream>
#include <iterator>

#include "common/hash.h"

namespace vaec::cli {

std::string bundled_models_dir() { return VAEC_BUNDLED_MODELS; }

void add_model_option(CLI::App& sub, std::string& path) {
  sub.add_option("--model", path,
                 "Model file (.vaem); default: $VAEC_MODEL, else the bundled model of the preset (encoding) or "
                 "the bundled model the stream names (decoding), in " +
                     bundled_models_dir());
}

std::string resolve_model_path(const std::string& given) {
  if (!given.empty()) return given;
  const char* env = std::getenv("VAEC_MODEL");
  if (env && *env) return env;
  return bundled_models_dir();
}

std::string bundled_model_with_hash(const uint8_t* hash) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (fs::directory_iterator it(bundled_models_dir(), ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() != ".vaem") continue;
    std::ifstream in(it->path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in && !in.eof()) continue;
    const ModelHash h = compute_model_hash(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    if (std::memcmp(h.data(), hash, 16) == 0) return it->path().string();
  }
  return "";
}

}  // namespace vaec::cli
