// What decoding needs of a model file (.vaem), read without LibTorch: its configuration, the
// integer hyper-synthesis that picks the CDFs, the integer synthesis that makes the pictures
// (docs/bitstream.md §9) and the factorized CDF tables of z. A decoder loads only this, so the
// decoding library (and `vaec` built with -DVAEC_TORCH=OFF) never links LibTorch; the full
// model (model/model_file.h) adds the float transforms the encoder and the trainer run.
#pragma once

#include <cstdint>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/cpu.h"
#include "common/hash.h"
#include "entropy/cdf_table.h"
#include "model/integer_hyper.h"
#include "model/integer_synthesis.h"
#include "model/raw_tensor_file.h"
#include "model/vae_config.h"

namespace vaec::model {

// 2: adds the integer synthesis (model/integer_synthesis.h), which decodes every picture; a
// version-1 file is refused with the command that re-exports it.
constexpr uint32_t kModelFileVersion = 2;
extern const char* const kModelArchitecture;  // "vaec-intra-mshp-gain-1"
extern const char* const kModelFileMagic;     // 8 bytes, "VAEMODEL"

struct ExportInfo {
  int64_t train_steps = 0;
  double train_seconds = 0;
  // Gain level of quality 1 (quality_to_level()); below 0 reaches rates under the lowest
  // trained lambda. Part of the model (and its hash), so streams always decode with it.
  double quality_level_min = 0;
};

class DecodingModel {
 public:
  DecodingModel() = default;
  DecodingModel(VaeConfig config, ExportInfo info, IntegerHyperSynthesis hyper, IntegerSynthesis synthesis,
                entropy::CdfTableSet z_tables);
  // Reads and checks the decoding side of a decoded container (decode_model_container());
  // throws ModelFileError naming `what` and the reason.
  static DecodingModel from_file(const RawTensorFile& file, uint64_t content_hash, const std::string& what);

  const VaeConfig& config() const { return config_; }
  const ExportInfo& info() const { return info_; }
  const IntegerHyperSynthesis& hyper_synthesis() const { return hyper_; }
  // The normative g_s: what every decoder and the encoder's reconstructions run.
  const IntegerSynthesis& integer_synthesis() const { return synthesis_; }
  const entropy::CdfTableSet& z_tables() const { return z_tables_; }
  uint64_t content_hash() const { return hash_; }  // XXH64 of the serialized payload (not the stream's)

  // Caps the instruction set the integer synthesis uses (common/cpu.h); throws
  // std::invalid_argument if this CPU lacks it. Never changes a picture.
  void set_cpu_level(CpuLevel cap) { cpu_ = resolve_cpu_level(cap); }
  CpuLevel cpu_level() const { return cpu_; }

 private:
  VaeConfig config_;
  ExportInfo info_;
  IntegerHyperSynthesis hyper_;
  IntegerSynthesis synthesis_;
  entropy::CdfTableSet z_tables_;
  uint64_t hash_ = 0;
  CpuLevel cpu_ = detected_cpu_level();
};

// A model file's container, checked (magic, version, hash, bounds); a format-1 file is refused
// with the command that re-exports it. `hash` receives the payload hash.
RawTensorFile decode_model_container(const std::vector<uint8_t>& bytes, const std::string& what, uint64_t* hash);

// The fingerprint of the Gaussian CDF tables a model file records it was made for.
std::string gaussian_tables_fingerprint();

// A model read from disk, with the hash a stream header records for it.
template <typename Model>
struct Loaded {
  Model model;
  ModelHash hash{};  // XXH3-128 of the file's bytes (common/hash.h)
  std::string path;
};
using LoadedDecodingModel = Loaded<DecodingModel>;
// Throws ModelFileError with a message naming the file and the reason.
LoadedDecodingModel load_decoding_model(const std::string& path);

// A model file's bytes; throws ModelFileError ("cannot open the model file" ...).
std::vector<uint8_t> read_model_file(const std::string& path);

// What load_decoding_model and load_model (model/loaded_model.h) share: reads `path`, parses
// it with parse(bytes, path), and hashes it; any failure but running out of memory becomes a
// ModelFileError naming the file.
template <typename Model, typename Parse>
Loaded<Model> load_model_file(const std::string& path, Parse parse) {
  const std::vector<uint8_t> bytes = read_model_file(path);
  try {
    return Loaded<Model>{parse(bytes, path), compute_model_hash(bytes.data(), bytes.size()), path};
  } catch (const ModelFileError&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {  // e.g. LibTorch refusing a tensor: still a bad model file
    throw ModelFileError(path + ": not a usable model file (" + e.what() + ")");
  }
}

}  // namespace vaec::model
