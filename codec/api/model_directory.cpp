#include "api/model_directory.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "model/decoding_model.h"
#include "vaec/vaec.h"

namespace vaec::api {

namespace fs = std::filesystem;

bool is_model_directory(const std::string& path) {
  std::error_code ec;
  return fs::is_directory(path, ec);
}

std::string preset_model(const std::string& dir, int preset) {
  return (fs::path(dir) / (preset == VAEC_PRESET_FAST ? kFastModelFile : kModelFile)).string();
}

std::vector<ModelEntry> list_models(const std::string& dir) {
  std::vector<std::string> paths;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".vaem" && it->is_regular_file(ec)) paths.push_back(it->path().string());
  std::sort(paths.begin(), paths.end());
  std::vector<ModelEntry> out;
  for (const std::string& p : paths) {
    try {
      const std::vector<uint8_t> bytes = model::read_model_file(p);
      out.push_back({p, compute_model_hash(bytes.data(), bytes.size())});
    } catch (const model::ModelFileError&) {
      // unreadable: not a candidate
    }
  }
  return out;
}

}  // namespace vaec::api
