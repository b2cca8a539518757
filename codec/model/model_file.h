// The shipping model file (.vaem): float weights of the transforms, the integer hyper-synthesis
// and synthesis, the factorized CDF tables of z, and metadata, in a raw_tensor_file container
// whose payload hash
// (XXH64) is content_hash(), what `vaec train --export` prints. A stream header records
// another hash, XXH3-128 of the whole file's bytes (model/loaded_model.h, common/hash.h), and the
// decoder refuses a model whose file hashes differently.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "model/decoding_model.h"
#include "model/onednn_synthesis.h"
#include "model/tensor_file.h"
#include "model/vae.h"

namespace vaec::model {

// The full model: the decoding side (model/decoding_model.h, all a decoder reads) and the float
// networks the encoder and the trainer run.
class IntraModel {
 public:
  // Quantizes h_s and samples the z densities; `net` is copied (weights shared).
  static IntraModel from_network(Vae net, const ExportInfo& info = {});
  // Reads and validates a .vaem file; throws ModelFileError with a clear reason.
  static IntraModel load(const std::string& path);
  static IntraModel parse(const std::vector<uint8_t>& bytes, const std::string& what);

  std::vector<uint8_t> serialize() const;
  void save(const std::string& path) const;  // atomic

  const DecodingModel& decoding() const { return decoding_; }
  uint64_t content_hash() const { return decoding_.content_hash(); }
  Vae& net() { return net_; }
  const IntegerHyperSynthesis& hyper_synthesis() const { return decoding_.hyper_synthesis(); }
  const IntegerSynthesis& integer_synthesis() const { return decoding_.integer_synthesis(); }
  // Caps the instruction set of the integer synthesis (DecodingModel::set_cpu_level).
  void set_cpu_level(CpuLevel cap) { decoding_.set_cpu_level(cap); }
  CpuLevel cpu_level() const { return decoding_.cpu_level(); }
  const entropy::CdfTableSet& z_tables() const { return decoding_.z_tables(); }
  const ExportInfo& info() const { return decoding_.info(); }
  const VaeConfig& config() const { return decoding_.config(); }
  int64_t levels() const { return config().levels(); }
  // The continuous gain level this model uses for --quality q.
  double level(int quality) const { return quality_to_level(quality, levels(), info().quality_level_min); }
  // The rate-distortion lambda of --quality q (loss = bpp + lambda * 255^2 * MSE_YUV).
  double lambda(int quality) const { return lambda_at_level(config().lambdas, level(quality)); }

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
  DecodingModel decoding_;
  Vae net_{nullptr};
};

// Quantizes a trained float h_s into the integer network (exposed for tests).
IntegerHyperSynthesis quantize_hyper_synthesis(Vae& net);

}  // namespace vaec::model
