#include "cli/model_option.h"

#include <cstdlib>
#include <vector>

#include "vaec/vaec.h"

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
  // The library's own search (the one its decoder makes in a directory of models).
  std::vector<char> path(4096);
  return vaec_find_model(bundled_models_dir().c_str(), hash, path.data(), path.size()) == VAEC_OK ? path.data() : "";
}

}  // namespace vaec::cli
