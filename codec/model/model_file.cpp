#include "model/model_file.h"

#include <cmath>
#include <cstdlib>

#include <nlohmann/json.hpp>
#include <torch/nn/modules/conv.h>

#include "entropy/gaussian_tables.h"
#include "model/layers.h"
#include "model/quantize_synthesis.h"

namespace vaec::model {

namespace {

constexpr int kMaxWeightBits = 16;  // |w_q| < 2^16: ~5 significant digits per weight
constexpr int64_t kZRange = 512;    // z densities are sampled on [-kZRange, kZRange]
constexpr double kTailMass = 1e-9;  // pmf entries below this at the ends go to the escape

IntegerConvLayer quantize_conv(torch::nn::Conv2d& conv, int upscale, bool relu) {
  torch::NoGradGuard no_grad;
  const torch::Tensor w = conv->weight.detach().to(torch::kDouble);
  const torch::Tensor b = conv->bias.detach().to(torch::kDouble);
  IntegerConvLayer L;
  L.out = int(w.size(0));
  L.in = int(w.size(1));
  L.kernel = int(w.size(2));
  L.upscale = upscale;
  L.relu = relu;
  const double max_w = std::max(w.abs().max().item<double>(), 1e-12);
  L.shift = std::clamp(int(std::floor(std::log2(double(1 << kMaxWeightBits) / max_w))) - 1, 0, 24);
  const torch::Tensor wq = torch::round(w * std::ldexp(1.0, L.shift)).permute({2, 3, 1, 0})
                               .contiguous().to(torch::kInt);
  const torch::Tensor bq = torch::round(b * std::ldexp(1.0, L.shift + kActivationFracBits))
                               .to(torch::kInt);
  L.weight.assign(wq.data_ptr<int32_t>(), wq.data_ptr<int32_t>() + wq.numel());
  L.bias.assign(bq.data_ptr<int32_t>(), bq.data_ptr<int32_t>() + bq.numel());
  return L;
}

entropy::CdfTableSet build_z_tables(Vae& net) {
  const torch::Tensor pmf = net->entropy_bottleneck->integer_pmf(-kZRange, kZRange).contiguous();
  std::vector<entropy::FactorizedPmf> channels(size_t(pmf.size(0)));
  for (int64_t c = 0; c < pmf.size(0); ++c) {
    const double* p = pmf[c].data_ptr<double>();
    int64_t lo = 0, hi = pmf.size(1) - 1;
    while (lo < hi && p[lo] < kTailMass) ++lo;
    while (hi > lo && p[hi] < kTailMass) --hi;
    channels[c].pmf.assign(p + lo, p + hi + 1);
    channels[c].offset = int32_t(lo - kZRange);
  }
  entropy::CdfTableSet set;
  const Status s = entropy::build_factorized_tables(channels, &set);
  if (!s.ok()) throw ModelFileError(std::string("cannot build z CDF tables: ") + s.message());
  return set;
}

}  // namespace

IntegerHyperSynthesis quantize_hyper_synthesis(Vae& net) {
  // h_s = SubPixelConv, ReLU, SubPixelConv, ReLU, Conv1x1 (see vae.cpp).
  auto& seq = net->h_s;
  std::vector<IntegerConvLayer> layers;
  layers.push_back(quantize_conv(seq->ptr<SubPixelConvImpl>(0)->conv, 2, true));
  layers.push_back(quantize_conv(seq->ptr<SubPixelConvImpl>(2)->conv, 2, true));
  auto last = torch::nn::Conv2d(std::dynamic_pointer_cast<torch::nn::Conv2dImpl>(seq->ptr(4)));
  layers.push_back(quantize_conv(last, 1, false));
  return IntegerHyperSynthesis(std::move(layers));
}

IntraModel IntraModel::from_network(Vae net, const ExportInfo& info) {
  IntraModel m;
  m.net_ = net;
  m.net_->eval();
  IntegerHyperSynthesis hyper = quantize_hyper_synthesis(m.net_);
  entropy::CdfTableSet z_tables = build_z_tables(m.net_);
  // The synthesis is calibrated on pictures the model codes with the rest of its decoding side.
  m.decoding_ = DecodingModel(net->config(), info, hyper, IntegerSynthesis(), z_tables);
  IntegerSynthesis synthesis(quantize_synthesis(m));
  m.decoding_ = DecodingModel(net->config(), info, std::move(hyper), std::move(synthesis), std::move(z_tables));
  // The hash is that of the serialized payload, as a loader will see it.
  const auto bytes = m.serialize();
  m.decoding_ = parse(bytes, "exported model").decoding_;
  return m;
}

std::vector<uint8_t> IntraModel::serialize() const {
  const VaeConfig& c = config();
  const ExportInfo& info = decoding_.info();
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& L : hyper_synthesis().layers())
    layers.push_back({{"in", L.in}, {"out", L.out}, {"kernel", L.kernel}, {"shift", L.shift},
                      {"upscale", L.upscale}, {"relu", L.relu}});
  nlohmann::json meta = {
      {"format", "vaec model"},
      {"architecture", kModelArchitecture},
      {"config", nlohmann::json::parse(config_to_json(c))},
      {"quality_map", "level = min + (quality - 1) / 99 * (levels - 1 - min), gains interpolated "
                      "(below level 0 extrapolated) in log domain"},
      {"quality_level_min", info.quality_level_min},
      {"activation_frac_bits", kActivationFracBits},
      {"scale_bound", kScaleBound},
      {"h_s_layers", layers},
      {"g_s_int", {{"input_shift", integer_synthesis().params().input_shift},
                   {"inverse_gain_frac_bits", kInverseGainFracBits}}},
      {"gaussian_tables_fingerprint", gaussian_tables_fingerprint()},
      {"train_steps", info.train_steps},
      {"train_seconds", info.train_seconds}};
  TensorFile f;
  f.meta = meta.dump();
  for (const auto& p : net_->named_parameters()) f.add("param/" + p.key(), p.value());
  for (size_t i = 0; i < hyper_synthesis().layers().size(); ++i) {
    const auto& L = hyper_synthesis().layers()[i];
    f.add("h_s_int/" + std::to_string(i) + "/weight",
          at::from_blob(const_cast<int32_t*>(L.weight.data()), {int64_t(L.weight.size())}, at::kInt));
    f.add("h_s_int/" + std::to_string(i) + "/bias",
          at::from_blob(const_cast<int32_t*>(L.bias.data()), {int64_t(L.bias.size())}, at::kInt));
  }
  const IntegerSynthesisParams& gs = integer_synthesis().params();
  auto add16 = [&](const std::string& name, const std::vector<int16_t>& v) {
    f.add(name, at::from_blob(const_cast<int16_t*>(v.data()), {int64_t(v.size())}, at::kShort));
  };
  auto add32 = [&](const std::string& name, const std::vector<int32_t>& v) {
    f.add(name, at::from_blob(const_cast<int32_t*>(v.data()), {int64_t(v.size())}, at::kInt));
  };
  auto add8 = [&](const std::string& name, const std::vector<uint8_t>& v) {
    f.add(name, at::from_blob(const_cast<uint8_t*>(v.data()), {int64_t(v.size())}, at::kByte));
  };
  add32("g_s_int/inverse_gain", gs.inverse_gain);
  for (int i = 0; i < 3; ++i) {
    const std::string n = "g_s_int/conv" + std::to_string(i + 1);
    add16(n + "/weight", gs.conv[i].weight);
    add32(n + "/bias", gs.conv[i].bias);
    add8(n + "/shift", gs.conv[i].shift);
  }
  for (int i = 0; i < 2; ++i) {
    const std::string n = "g_s_int/igdn" + std::to_string(i + 1);
    add16(n + "/gamma", gs.igdn[i].gamma);
    f.add(n + "/beta", at::from_blob(const_cast<int64_t*>(gs.igdn[i].beta.data()),
                                     {int64_t(gs.igdn[i].beta.size())}, at::kLong));
    add8(n + "/shift", gs.igdn[i].shift);
  }
  auto tables = z_tables().serialize();
  f.add("z_cdf_tables", at::from_blob(tables.data(), {int64_t(tables.size())}, at::kByte));
  return encode_tensor_file(f, std::string(kModelFileMagic, 8), kModelFileVersion);
}

void IntraModel::save(const std::string& path) const { write_file_atomic(path, serialize()); }

IntraModel IntraModel::load(const std::string& path) { return parse(read_model_file(path), path); }

at::Tensor IntraModel::synthesis(const at::Tensor& y_hat) {
  if (!libtorch_synthesis_ && !fast_synthesis_.tried) {
    fast_synthesis_.onednn = OnednnSynthesis::create(net_);
    fast_synthesis_.tried = true;
  }
  if (!libtorch_synthesis_ && fast_synthesis_.onednn) return fast_synthesis_.onednn->run(y_hat);
  return net_->synthesis(y_hat.contiguous(at::MemoryFormat::ChannelsLast));
}

IntraModel IntraModel::parse(const std::vector<uint8_t>& bytes, const std::string& what) {
  IntraModel m;
  uint64_t hash = 0;
  RawTensorFile raw = decode_model_container(bytes, what, &hash);
  m.decoding_ = DecodingModel::from_file(raw, hash, what);
  try {
    m.net_ = Vae(m.config());
  } catch (const std::invalid_argument& e) {
    throw ModelFileError(what + ": " + e.what());
  }
  const TensorFile f = to_tensor_file(std::move(raw));
  {
    torch::NoGradGuard no_grad;
    for (auto& p : m.net_->named_parameters()) {
      const at::Tensor* src = f.find("param/" + p.key());
      if (!src) throw ModelFileError(what + ": model data is missing tensor 'param/" + p.key() + "'");
      if (src->sizes() != p.value().sizes() || src->scalar_type() != at::kFloat)
        throw ModelFileError(what + ": tensor '" + p.key() + "' has the wrong shape");
      p.value().copy_(*src);
    }
  }
  m.net_->eval();
  return m;
}

}  // namespace vaec::model
