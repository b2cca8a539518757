#include "cli/model_option.h"

#include <cstdlib>

namespace vaec::cli {

std::string bundled_model_path() { return VAEC_BUNDLED_MODEL; }

void add_model_option(CLI::App& sub, std::string& path) {
  sub.add_option("--model", path, "Model file (.vaem); default: $VAEC_MODEL or " + bundled_model_path());
}

std::string resolve_model_path(const std::string& given) {
  if (!given.empty()) return given;
  const char* env = std::getenv("VAEC_MODEL");
  if (env && *env) return env;
  return bundled_model_path();
}

}  // namespace vaec::cli
