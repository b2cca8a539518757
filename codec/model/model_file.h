// The shipping model file (.vaem): float weights of the transforms, the integer hyper-synthesis,
// the factorized CDF tables of z, and metadata, in a tensor_file container whose payload hash
// (XXH64) is content_hash(), what `vaec train --export` prints. A stream header records
// another hash, XXH3-128 of the whole file's bytes (model/loaded_model.h, common/hash.h), and the
// decoder refuses a model whose file hashes differently.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "entropy/cdf_table.h"
#include "common/cpu.h"
#include "model/integer_hyper.h"
#include "model/integer_synthesis.h"
#include "model/onednn_synthesis.h"
#include "model/tensor_file.h"
#include "model/vae.h"

namespace vaec::model {

// 2: adds the integer synthesis (model/integer_synthesis.h), which decodes every picture; a
// version-1 file is refused with the command that re-exports it.
constexpr uint32_t kModelFileVersion = 2;
extern const char* const kModelArchitecture;  // "vaec-intra-mshp-gain-1"

struct ExportInfo {
  int64_t train_steps = 0;
  double train_seconds = 0;
  // Gain level of quality 1 (quality_to_level()); below 0 reaches rates under the lowest
  // trained lambda. Part of the model (and its hash), so streams always decode with it.
  double quality_level_min = 0;
};

class IntraModel {
 public:
  // Quantizes h_s and samples the z densities; `net` is copied (weights shared).
  static IntraModel from_network(Vae net, const ExportInfo& info = {});
  // Reads and validates a .vaem file; throws ModelFileError with a clear reason.
  static IntraModel load(const std::string& path);
  static IntraModel parse(const std::vector<uint8_t>& bytes, const std::string& what);

  std::vector<uint8_t> serialize() const;
  void save(const std::string& path) const;  // atomic

  uint64_t content_hash() const { return hash_; }  // XXH64 of the serialized payload (not the stream's)
  Vae& net() { return net_; }
  const IntegerHyperSynthesis& hyper_synthesis() const { return hyper_; }
  // The normative g_s: what every decoder and the encoder's reconstructions run.
  const IntegerSynthesis& integer_synthesis() const { return synthesis_; }
  // Caps the instruction set the integer synthesis uses (common/cpu.h); throws
  // std::invalid_argument if this CPU lacks it. Never changes a picture.
  void set_cpu_level(CpuLevel cap) { cpu_ = resolve_cpu_level(cap); }
  CpuLevel cpu_level() const { return cpu_; }
  const entropy::CdfTableSet& z_tables() const { return z_tables_; }
  const ExportInfo& info() const { return info_; }
  const VaeConfig& config() const { return net_->config(); }
  int64_t levels() const { return net_->config().levels(); }
  // The continuous gain level this model uses for --quality q.
  double level(int quality) const { return quality_to_level(quality, levels(), info_.quality_level_min); }

  // The float g_s on y_hat (gain applied), the reference the integer synthesis approximates:
  // oneDNN's blocked-layout path (onednn_synthesis.h) when it can run this network, else
  // LibTorch's. Built on first use from the weights of that moment; a copy of this model builds
  // its own (the path keeps per-call state).
  at::Tensor synthesis(const at::Tensor& y_hat);
  // Runs the float g_s on LibTorch's path even where oneDNN's could (docs/performance.md).
  void use_libtorch_synthesis(bool on) { libtorch_synthesis_ = on; }
  // Decodes pictures with the float g_s instead of the integer one: only to compare speed and
  // quality (docs/performance.md); such pictures are not the specified ones. Off by default.
  void use_float_synthesis(bool on) { float_synthesis_ = on; }
  bool float_synthesis() const { return float_synthesis_; }

 private:
  struct LazySynthesis {
    LazySynthesis() = default;
    LazySynthesis(const LazySynthesis&) {}
    LazySynthesis& operator=(const LazySynthesis&) { return *this; }
    std::unique_ptr<OnednnSynthesis> onednn;
    bool tried = false;
  };
  LazySynthesis fast_synthesis_;
  bool libtorch_synthesis_ = false;
  bool float_synthesis_ = false;
  IntegerSynthesis synthesis_;
  CpuLevel cpu_ = detected_cpu_level();
  Vae net_{nullptr};
  IntegerHyperSynthesis hyper_;
  entropy::CdfTableSet z_tables_;
  ExportInfo info_;
  uint64_t hash_ = 0;
};

// The network configuration as JSON text, as model files and training checkpoints store it
// ("Ns" only when g_s is narrower than N, so older files read and re-export unchanged).
std::string config_to_json(const VaeConfig& c);
VaeConfig config_from_json(const std::string& text);  // throws on a malformed configuration

// Quantizes a trained float h_s into the integer network (exposed for tests).
IntegerHyperSynthesis quantize_hyper_synthesis(Vae& net);

}  // namespace vaec::model
