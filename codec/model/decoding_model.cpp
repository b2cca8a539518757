#include "model/decoding_model.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "entropy/gaussian_tables.h"

namespace vaec::model {

const char* const kModelArchitecture = "vaec-intra-mshp-gain-1";
const char* const kModelFileMagic = "VAEMODEL";

namespace {

// A 1-D integer array of the file, of exactly the element type `code`.
template <typename T>
std::vector<T> read_ints(const RawTensorFile& f, const std::string& name, Dtype code, const std::string& what) {
  const RawTensor* t = f.find(name);
  if (!t) throw ModelFileError(what + ": model data is missing tensor '" + name + "'");
  if (t->dtype != code || t->dims.size() != 1 || dtype_size(code) != sizeof(T))
    throw ModelFileError(what + ": bad tensor " + name);
  std::vector<T> out(size_t(t->numel()));
  std::memcpy(out.data(), t->data.data(), out.size() * sizeof(T));
  return out;
}

IntegerHyperSynthesis read_hyper_synthesis(const RawTensorFile& f, const nlohmann::json& layers_meta,
                                           const std::string& what) {
  std::vector<IntegerConvLayer> layers;
  for (const auto& jl : layers_meta) {
    const std::string n = "h_s_int/" + std::to_string(layers.size());
    IntegerConvLayer L;
    L.in = jl.at("in");
    L.out = jl.at("out");
    L.kernel = jl.at("kernel");
    L.shift = jl.at("shift");
    L.upscale = jl.at("upscale");
    L.relu = jl.at("relu");
    L.weight = read_ints<int32_t>(f, n + "/weight", Dtype::kInt32, what);
    L.bias = read_ints<int32_t>(f, n + "/bias", Dtype::kInt32, what);
    layers.push_back(std::move(L));
  }
  return IntegerHyperSynthesis(std::move(layers));
}

// The integer synthesis' tensors; IntegerSynthesis's constructor checks every range.
IntegerSynthesisParams read_integer_synthesis(const RawTensorFile& f, const nlohmann::json& meta, const VaeConfig& c,
                                              const std::string& what) {
  if (meta.at("inverse_gain_frac_bits") != kInverseGainFracBits)
    throw ModelFileError(what + ": integer synthesis format does not match this build");
  IntegerSynthesisParams p;
  p.latent_channels = int(c.M);
  p.hidden_channels = int(c.synthesis_channels());
  p.input_shift = meta.at("input_shift");
  p.inverse_gain = read_ints<int32_t>(f, "g_s_int/inverse_gain", Dtype::kInt32, what);
  const int S = p.hidden_channels;
  const int ins[3] = {p.latent_channels, S, S}, outs[3] = {4 * S, 4 * S, 24};
  for (int i = 0; i < 3; ++i) {
    const std::string n = "g_s_int/conv" + std::to_string(i + 1);
    p.conv[i].in = ins[i];
    p.conv[i].out = outs[i];
    p.conv[i].weight = read_ints<int16_t>(f, n + "/weight", Dtype::kInt16, what);
    p.conv[i].bias = read_ints<int32_t>(f, n + "/bias", Dtype::kInt32, what);
    p.conv[i].shift = read_ints<uint8_t>(f, n + "/shift", Dtype::kUInt8, what);
  }
  for (int i = 0; i < 2; ++i) {
    const std::string n = "g_s_int/igdn" + std::to_string(i + 1);
    p.igdn[i].channels = S;
    p.igdn[i].gamma = read_ints<int16_t>(f, n + "/gamma", Dtype::kInt16, what);
    p.igdn[i].beta = read_ints<int64_t>(f, n + "/beta", Dtype::kInt64, what);
    p.igdn[i].shift = read_ints<uint8_t>(f, n + "/shift", Dtype::kUInt8, what);
  }
  return p;
}

entropy::CdfTableSet read_z_tables(const RawTensorFile& f, const std::string& what) {
  const std::vector<uint8_t> bytes = read_ints<uint8_t>(f, "z_cdf_tables", Dtype::kUInt8, what);
  entropy::CdfTableSet tables;
  const Status s = entropy::CdfTableSet::deserialize(bytes.data(), bytes.size(), &tables);
  if (!s.ok()) throw ModelFileError(what + ": bad z CDF tables (" + s.message() + ")");
  return tables;
}

}  // namespace

DecodingModel::DecodingModel(VaeConfig config, ExportInfo info, IntegerHyperSynthesis hyper,
                             IntegerSynthesis synthesis, entropy::CdfTableSet z_tables)
    : config_(std::move(config)),
      info_(info),
      hyper_(std::move(hyper)),
      synthesis_(std::move(synthesis)),
      z_tables_(std::move(z_tables)) {}

std::string gaussian_tables_fingerprint() {
  entropy::CdfTableSet g;
  if (!entropy::build_gaussian_tables(&g).ok()) throw ModelFileError("cannot build Gaussian tables");
  return std::to_string(g.fingerprint());
}

RawTensorFile decode_model_container(const std::vector<uint8_t>& bytes, const std::string& what, uint64_t* hash) {
  const std::string magic(kModelFileMagic, 8);
  if (bytes.size() >= 12 && std::equal(magic.begin(), magic.end(), bytes.begin()) && bytes[8] == 1 &&
      bytes[9] == 0 && bytes[10] == 0 && bytes[11] == 0)
    throw ModelFileError(what + ": model file format 1 predates the integer synthesis this build decodes with; "
                                "re-export it from its training checkpoint (vaec train --out DIR --export FILE "
                                "--export-only). Its streams cannot be decoded by this version");
  return decode_raw_tensor_file(bytes, magic, kModelFileVersion, what, hash);
}

DecodingModel DecodingModel::from_file(const RawTensorFile& f, uint64_t content_hash, const std::string& what) {
  DecodingModel m;
  m.hash_ = content_hash;
  try {
    const nlohmann::json meta = nlohmann::json::parse(f.meta);
    if (meta.at("architecture") != kModelArchitecture)
      throw ModelFileError(what + ": model architecture '" + meta.at("architecture").get<std::string>() +
                           "' is not supported by this build (" + kModelArchitecture + ")");
    if (meta.at("activation_frac_bits") != kActivationFracBits)
      throw ModelFileError(what + ": integer format does not match this build");
    if (meta.at("gaussian_tables_fingerprint") != gaussian_tables_fingerprint())
      throw ModelFileError(what + ": made for different Gaussian CDF tables than this build's");
    m.config_ = config_from_json(meta.at("config").dump());
    const VaeConfig& c = m.config_;
    if (c.N <= 0 || c.M <= 0 || c.Nz <= 0 || c.Ns < 0 || c.levels() < 1 || c.N > 4096 || c.M > 4096 ||
        c.Nz > 4096 || c.Ns > 4096)
      throw ModelFileError(what + ": configuration out of range");
    m.info_.train_steps = meta.value("train_steps", int64_t(0));
    m.info_.train_seconds = meta.value("train_seconds", 0.0);
    m.info_.quality_level_min = meta.value("quality_level_min", 0.0);
    if (!(m.info_.quality_level_min >= kLowestLevel && m.info_.quality_level_min <= 0))
      throw ModelFileError(what + ": quality_level_min " + std::to_string(m.info_.quality_level_min) +
                           " is outside [" + std::to_string(int(kLowestLevel)) + ", 0]");
    m.hyper_ = read_hyper_synthesis(f, meta.at("h_s_layers"), what);
    m.synthesis_ = IntegerSynthesis(read_integer_synthesis(f, meta.at("g_s_int"), c, what));
  } catch (const nlohmann::json::exception& e) {
    throw ModelFileError(what + ": damaged metadata (" + e.what() + ")");
  } catch (const std::invalid_argument& e) {
    throw ModelFileError(what + ": " + e.what());
  }
  if (m.hyper_.in_channels() != m.config_.Nz || m.hyper_.out_channels() != 2 * m.config_.M)
    throw ModelFileError(what + ": integer h_s does not match the configuration");
  m.z_tables_ = read_z_tables(f, what);
  if (int64_t(m.z_tables_.size()) != m.config_.Nz)
    throw ModelFileError(what + ": z CDF tables do not match the configuration");
  return m;
}

std::vector<uint8_t> read_model_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ModelFileError(path + ": cannot open the model file");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw ModelFileError(path + ": cannot read the model file");
  return bytes;
}

LoadedDecodingModel load_decoding_model(const std::string& path) {
  return load_model_file<DecodingModel>(path, [](const std::vector<uint8_t>& bytes, const std::string& what) {
    uint64_t content_hash = 0;
    const RawTensorFile file = decode_model_container(bytes, what, &content_hash);
    return DecodingModel::from_file(file, content_hash, what);
  });
}

}  // namespace vaec::model
