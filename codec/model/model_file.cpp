#include "model/model_file.h"

#include <cmath>
#include <cstdlib>

#include <nlohmann/json.hpp>
#include <torch/nn/modules/conv.h>

#include "entropy/gaussian_tables.h"
#include "model/layers.h"
#include "model/quantize_synthesis.h"

namespace vaec::model {

const char* const kModelArchitecture = "vaec-intra-mshp-gain-1";

namespace {

const std::string kMagic("VAEMODEL", 8);
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

uint64_t gaussian_fingerprint() {
  entropy::CdfTableSet g;
  if (!entropy::build_gaussian_tables(&g).ok()) throw ModelFileError("cannot build Gaussian tables");
  return g.fingerprint();
}

template <typename T>
std::vector<T> read_ints(const TensorFile& f, const std::string& name, at::ScalarType type, const std::string& what) {
  const at::Tensor& t = f.get(name);
  if (t.scalar_type() != type || t.dim() != 1) throw ModelFileError(what + ": bad tensor " + name);
  return std::vector<T>(t.data_ptr<T>(), t.data_ptr<T>() + t.numel());
}

// The integer synthesis' tensors; IntegerSynthesis's constructor checks every range.
IntegerSynthesisParams read_integer_synthesis(const TensorFile& f, const nlohmann::json& meta, const VaeConfig& c,
                                              const std::string& what) {
  if (meta.at("inverse_gain_frac_bits") != kInverseGainFracBits)
    throw ModelFileError(what + ": integer synthesis format does not match this build");
  IntegerSynthesisParams p;
  p.latent_channels = int(c.M);
  p.hidden_channels = int(c.synthesis_channels());
  p.input_shift = meta.at("input_shift");
  p.inverse_gain = read_ints<int32_t>(f, "g_s_int/inverse_gain", at::kInt, what);
  const int S = p.hidden_channels;
  const int ins[3] = {p.latent_channels, S, S}, outs[3] = {4 * S, 4 * S, 24};
  for (int i = 0; i < 3; ++i) {
    const std::string n = "g_s_int/conv" + std::to_string(i + 1);
    p.conv[i].in = ins[i];
    p.conv[i].out = outs[i];
    p.conv[i].weight = read_ints<int16_t>(f, n + "/weight", at::kShort, what);
    p.conv[i].bias = read_ints<int32_t>(f, n + "/bias", at::kInt, what);
    p.conv[i].shift = read_ints<uint8_t>(f, n + "/shift", at::kByte, what);
  }
  for (int i = 0; i < 2; ++i) {
    const std::string n = "g_s_int/igdn" + std::to_string(i + 1);
    p.igdn[i].channels = S;
    p.igdn[i].gamma = read_ints<int16_t>(f, n + "/gamma", at::kShort, what);
    p.igdn[i].beta = read_ints<int64_t>(f, n + "/beta", at::kLong, what);
    p.igdn[i].shift = read_ints<uint8_t>(f, n + "/shift", at::kByte, what);
  }
  return p;
}

}  // namespace

std::string config_to_json(const VaeConfig& c) {
  nlohmann::json j = {{"N", c.N}, {"M", c.M}, {"Nz", c.Nz}, {"lambdas", c.lambdas}};
  if (c.Ns > 0 && c.Ns != c.N) j["Ns"] = c.Ns;  // absent from files made before it existed
  return j.dump();
}

VaeConfig config_from_json(const std::string& text) {
  const nlohmann::json j = nlohmann::json::parse(text);
  VaeConfig c;
  c.N = j.at("N");
  c.M = j.at("M");
  c.Nz = j.at("Nz");
  c.Ns = j.value("Ns", int64_t(0));
  c.lambdas = j.at("lambdas").get<std::vector<double>>();
  return c;
}


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
  m.hyper_ = quantize_hyper_synthesis(m.net_);
  m.z_tables_ = build_z_tables(m.net_);
  m.info_ = info;
  m.synthesis_ = IntegerSynthesis(quantize_synthesis(m));
  // The hash is that of the serialized payload, as a loader will see it.
  const auto bytes = m.serialize();
  m.hash_ = parse(bytes, "exported model").hash_;
  return m;
}

std::vector<uint8_t> IntraModel::serialize() const {
  const auto& c = net_->config();
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& L : hyper_.layers())
    layers.push_back({{"in", L.in}, {"out", L.out}, {"kernel", L.kernel}, {"shift", L.shift},
                      {"upscale", L.upscale}, {"relu", L.relu}});
  nlohmann::json meta = {
      {"format", "vaec model"},
      {"architecture", kModelArchitecture},
      {"config", nlohmann::json::parse(config_to_json(c))},
      {"quality_map", "level = min + (quality - 1) / 99 * (levels - 1 - min), gains interpolated "
                      "(below level 0 extrapolated) in log domain"},
      {"quality_level_min", info_.quality_level_min},
      {"activation_frac_bits", kActivationFracBits},
      {"scale_bound", kScaleBound},
      {"h_s_layers", layers},
      {"g_s_int", {{"input_shift", synthesis_.params().input_shift},
                   {"inverse_gain_frac_bits", kInverseGainFracBits}}},
      {"gaussian_tables_fingerprint", std::to_string(gaussian_fingerprint())},
      {"train_steps", info_.train_steps},
      {"train_seconds", info_.train_seconds}};
  TensorFile f;
  f.meta = meta.dump();
  for (const auto& p : net_->named_parameters()) f.add("param/" + p.key(), p.value());
  for (size_t i = 0; i < hyper_.layers().size(); ++i) {
    const auto& L = hyper_.layers()[i];
    f.add("h_s_int/" + std::to_string(i) + "/weight",
          at::from_blob(const_cast<int32_t*>(L.weight.data()), {int64_t(L.weight.size())}, at::kInt));
    f.add("h_s_int/" + std::to_string(i) + "/bias",
          at::from_blob(const_cast<int32_t*>(L.bias.data()), {int64_t(L.bias.size())}, at::kInt));
  }
  const IntegerSynthesisParams& gs = synthesis_.params();
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
  auto tables = z_tables_.serialize();
  f.add("z_cdf_tables", at::from_blob(tables.data(), {int64_t(tables.size())}, at::kByte));
  return encode_tensor_file(f, kMagic, kModelFileVersion);
}

void IntraModel::save(const std::string& path) const { write_file_atomic(path, serialize()); }

IntraModel IntraModel::load(const std::string& path) { return parse(read_whole_file(path), path); }

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
  if (bytes.size() >= 12 && std::equal(kMagic.begin(), kMagic.end(), bytes.begin()) && bytes[8] == 1 &&
      bytes[9] == 0 && bytes[10] == 0 && bytes[11] == 0)
    throw ModelFileError(what + ": model file format 1 predates the integer synthesis this build decodes with; "
                                "re-export it from its training checkpoint (vaec train --out DIR --export FILE "
                                "--export-only). Its streams cannot be decoded by this version");
  const TensorFile f = decode_tensor_file(bytes, kMagic, kModelFileVersion, what, &m.hash_);
  nlohmann::json meta;
  try {
    meta = nlohmann::json::parse(f.meta);
    if (meta.at("architecture") != kModelArchitecture)
      throw ModelFileError(what + ": model architecture '" + meta.at("architecture").get<std::string>() +
                           "' is not supported by this build (" + kModelArchitecture + ")");
    if (meta.at("activation_frac_bits") != kActivationFracBits)
      throw ModelFileError(what + ": integer format does not match this build");
    if (meta.at("gaussian_tables_fingerprint") != std::to_string(gaussian_fingerprint()))
      throw ModelFileError(what + ": made for different Gaussian CDF tables than this build's");
    m.net_ = Vae(config_from_json(meta.at("config").dump()));
    m.info_.train_steps = meta.value("train_steps", int64_t(0));
    m.info_.train_seconds = meta.value("train_seconds", 0.0);
    m.info_.quality_level_min = meta.value("quality_level_min", 0.0);
    if (!(m.info_.quality_level_min >= kLowestLevel && m.info_.quality_level_min <= 0))
      throw ModelFileError(what + ": quality_level_min " + std::to_string(m.info_.quality_level_min) +
                           " is outside [" + std::to_string(int(kLowestLevel)) + ", 0]");
    std::vector<IntegerConvLayer> layers;
    size_t i = 0;
    for (const auto& jl : meta.at("h_s_layers")) {
      IntegerConvLayer L;
      L.in = jl.at("in");
      L.out = jl.at("out");
      L.kernel = jl.at("kernel");
      L.shift = jl.at("shift");
      L.upscale = jl.at("upscale");
      L.relu = jl.at("relu");
      auto ints = [&](const std::string& name) {
        const at::Tensor& t = f.get(name);
        if (t.scalar_type() != at::kInt) throw ModelFileError(what + ": bad tensor " + name);
        return std::vector<int32_t>(t.data_ptr<int32_t>(), t.data_ptr<int32_t>() + t.numel());
      };
      L.weight = ints("h_s_int/" + std::to_string(i) + "/weight");
      L.bias = ints("h_s_int/" + std::to_string(i) + "/bias");
      layers.push_back(std::move(L));
      ++i;
    }
    m.hyper_ = IntegerHyperSynthesis(std::move(layers));
    m.synthesis_ = IntegerSynthesis(read_integer_synthesis(f, meta.at("g_s_int"), m.net_->config(), what));
  } catch (const nlohmann::json::exception& e) {
    throw ModelFileError(what + ": damaged metadata (" + e.what() + ")");
  } catch (const std::invalid_argument& e) {
    throw ModelFileError(what + ": " + e.what());
  }
  if (m.hyper_.in_channels() != m.net_->config().Nz || m.hyper_.out_channels() != 2 * m.net_->config().M)
    throw ModelFileError(what + ": integer h_s does not match the configuration");
  {
    torch::NoGradGuard no_grad;
    for (auto& p : m.net_->named_parameters()) {
      const at::Tensor& src = f.get("param/" + p.key());
      if (src.sizes() != p.value().sizes() || src.scalar_type() != at::kFloat)
        throw ModelFileError(what + ": tensor '" + p.key() + "' has the wrong shape");
      p.value().copy_(src);
    }
  }
  const at::Tensor& tables = f.get("z_cdf_tables");
  if (tables.scalar_type() != at::kByte) throw ModelFileError(what + ": bad z CDF tables");
  const Status s = entropy::CdfTableSet::deserialize(tables.data_ptr<uint8_t>(), size_t(tables.numel()),
                                                     &m.z_tables_);
  if (!s.ok()) throw ModelFileError(what + ": bad z CDF tables (" + s.message() + ")");
  if (int64_t(m.z_tables_.size()) != m.net_->config().Nz)
    throw ModelFileError(what + ": z CDF tables do not match the configuration");
  m.net_->eval();
  return m;
}

}  // namespace vaec::model
