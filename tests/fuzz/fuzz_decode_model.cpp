#include "fuzz_decode_model.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "bitstream/substreams.h"
#include "entropy/gaussian_tables.h"
#include "entropy/rans.h"

namespace vaec::fuzz {
namespace {

struct FuzzModel {
  std::string path = VAEC_FUZZ_DECODE_MODEL;
  ModelHash hash{};
  FuzzModel() {
    std::ifstream in(path, std::ios::binary);
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.empty()) {
      std::fprintf(stderr, "cannot read %s\n", path.c_str());
      std::abort();
    }
    hash = compute_model_hash(bytes.data(), bytes.size());
  }
};

const FuzzModel& fuzz_model() {
  static const FuzzModel m;
  return m;
}

}  // namespace

const std::string& decode_model_path() { return fuzz_model().path; }
const ModelHash& decode_model_hash() { return fuzz_model().hash; }

const model::DecodingModel& decode_model() {
  static const model::DecodingModel m = model::load_decoding_model(decode_model_path()).model;
  return m;
}

std::vector<uint8_t> payload_from_symbols(int width, int height, int quality, std::vector<int32_t> z,
                                          std::vector<int32_t> v) {
  static const entropy::CdfTableSet gaussian = [] {
    entropy::CdfTableSet t;
    if (!entropy::build_gaussian_tables(&t).ok()) std::abort();
    return t;
  }();
  const model::DecodingModel& m = decode_model();
  const model::LatentShape zs = model::z_shape(m, width, height);
  z.resize(zs.size());
  std::vector<int32_t> z_index(zs.size());
  const size_t plane = size_t(zs.height) * zs.width;
  for (size_t i = 0; i < z_index.size(); ++i) z_index[i] = int32_t(i / plane);
  const std::vector<int32_t> v_index = model::scale_indices(model::hyper_params(m, z, zs));
  v.resize(v_index.size());
  std::vector<uint8_t> payload = {uint8_t(quality)}, bytes;
  if (!entropy::enc_rans(m.z_tables(), z.data(), z_index.data(), z.size(), &bytes).ok()) return {};
  bitstream::append_substream(bytes.data(), bytes.size(), &payload);
  bytes.clear();
  if (!entropy::enc_rans(gaussian, v.data(), v_index.data(), v.size(), &bytes).ok()) return {};
  bitstream::append_substream(bytes.data(), bytes.size(), &payload);
  return payload;
}

std::vector<uint8_t> decode_stream_header(int width, int height) {
  bitstream::StreamHeader h;
  h.width = uint32_t(width);
  h.height = uint32_t(height);
  h.fps_num = 25;
  h.fps_den = 1;
  h.gop = 1;
  h.quality = 50;
  h.model_hash = decode_model_hash();
  h.version_major = bitstream::kVersionMajor;  // the newest: every payload syntax is reachable
  std::vector<uint8_t> out;
  if (!bitstream::serialize_header(h, &out).ok()) std::abort();
  return out;
}

}  // namespace vaec::fuzz
