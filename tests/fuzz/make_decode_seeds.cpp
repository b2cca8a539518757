// Writes seed inputs for fuzz_decode_frame into OUTPUT_DIR: valid I-frame payloads of a few
// small frames encoded with the fuzzer's tiny model (see fuzz_decode_model.h for the layout),
// at several qualities, P-frame payloads, plus one raw packet record. Not run by ctest; the corpus is committed.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <ATen/Parallel.h>

#include "coding/dec_inter.h"
#include "coding/enc_inter.h"
#include "coding/dec_intra.h"
#include "coding/enc_intra.h"
#include "coding/intra_payload.h"
#include "coding/synthesis_update_payload.h"
#include "coding/enc_motion.h"
#include "coding/enc_transform_residual.h"
#include "model/decoding.h"
#include "fuzz_decode_model.h"
#include "model/model_file.h"
#include "model/intra.h"
#include "model/vae.h"
#include <torch/torch.h>

using namespace vaec;
namespace fs = std::filesystem;

// A new tiny random model (what decode_model.vaem was made with, fuzz_decode_model.h).
static void write_decode_model(const std::string& path) {
  torch::manual_seed(20240601);
  model::VaeConfig config;
  config.N = 8;
  config.M = 8;
  config.Nz = 4;
  model::IntraModel::from_network(model::Vae(config)).save(path);
}

static void save(const fs::path& dir, const std::string& name, const std::vector<uint8_t>& bytes) {
  fs::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

// Gradients, a disc and noise: something with edges and texture.
static Frame make_frame(int w, int h, unsigned seed) {
  std::mt19937 rng(seed);
  Frame f;
  f.allocate(w, h);
  for (int p = 0; p < 3; ++p)
    for (int y = 0; y < f.plane_height(p); ++y)
      for (int x = 0; x < f.plane_width(p); ++x) {
        const int s = p ? 2 : 1;
        const double r = std::hypot(x * s - w / 2.0, y * s - h / 2.0);
        int v = (p == 0 ? 3 * x + y : p == 1 ? 128 + x - y : 100 + y) + (r < w / 4.0 ? 60 : 0);
        v += int(rng() % 17) - 8;
        f.planes[p][size_t(y) * f.plane_width(p) + x] = uint8_t(std::clamp(v, 0, 255));
      }
  return f;
}

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--write-model") {
    write_decode_model(argv[2]);
    return 0;
  }
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTPUT_DIR | --write-model MODEL.vaem\n", argv[0]);
    return 2;
  }
  at::set_num_threads(1);
  const fs::path out(argv[1]);
  model::IntraModel model = model::IntraModel::load(fuzz::decode_model_path());
  struct Case { int w, h, quality; };
  const Case cases[] = {{16, 16, 50}, {64, 48, 90}, {71, 49, 10}, {130, 97, 100}, {256, 256, 60}};
  unsigned seed = 1;
  for (const Case& c : cases) {
    const std::vector<uint8_t> payload = coding::encode_intra_payload(model, make_frame(c.w, c.h, seed++), c.quality);
    std::vector<uint8_t> in = {uint8_t(c.w - 1), uint8_t(c.h - 1), 0};
    in.insert(in.end(), payload.begin(), payload.end());
    save(out, "seed_" + std::to_string(c.w) + "x" + std::to_string(c.h), in);
    if (c.w == 64) {  // the same frame as a complete packet record (mode 1)
      std::vector<uint8_t> raw = {uint8_t(c.w - 1), uint8_t(c.h - 1), 1};
      if (!bitstream::append_packet_record(uint8_t(bitstream::PacketType::kIntraFrame), 0, payload.data(),
                                           payload.size(), &raw).ok())
        return 1;
      save(out, "seed_record_64x48", raw);
    }
  }
  // An I-frame with a synthesis update (bitstream 5.0; the harness's stream is 5.0): a few
  // centre taps of two outputs and every bias changed, so the fuzzer starts from a valid one.
  {
    const int w = 64, h = 48;
    std::vector<uint8_t> payload = coding::encode_intra_payload(model, make_frame(w, h, 11), 40);
    const model::IntegerSynthesis& synthesis = model.decoding().integer_synthesis();
    const model::IntegerSubPixelConv& last = synthesis.params().conv[2];
    coding::SynthesisUpdateLevels levels;
    levels.weight_shift = 12;
    levels.bias_shift = 4;
    levels.weight.assign(size_t(last.out) * last.in, 0);
    levels.bias.assign(last.out, 0);
    for (int i = 0; i < last.in; ++i) levels.weight[size_t(i)] = i % 3 - 1, levels.weight[size_t(5 * last.in + i)] = i % 2;
    for (int o = 0; o < last.out; ++o) levels.bias[size_t(o)] = o % 5 - 2;
    coding::insert_synthesis_update(coding::write_synthesis_update(synthesis, levels), &payload);
    std::vector<uint8_t> in = {uint8_t(w - 1), uint8_t(h - 1), 0};
    in.insert(in.end(), payload.begin(), payload.end());
    save(out, "seed_update_64x48", in);
  }
  // P-frame payloads (mode 4) on the harness's reference (all-zero latents), of two frames.
  for (unsigned frame_seed : {40u, 99u}) {
    const int w = 64, h = 48;
    const std::vector<uint8_t> intra = fuzz::payload_from_symbols(w, h, fuzz::kReferenceQuality, {}, {});
    coding::Reference ref;
    coding::InterResidual residual;
    if (!coding::decode_intra_payload(model.decoding(), intra.data(), intra.size(), w, h, 1, &ref).ok()) return 1;
    const std::vector<uint8_t> payload = coding::encode_inter_payload(
        model::analyse_transform(model, make_frame(w, h, frame_seed), fuzz::kReferenceQuality), ref, &residual);
    std::vector<uint8_t> in = {uint8_t(w - 1), uint8_t(h - 1), 4};
    in.insert(in.end(), payload.begin(), payload.end());
    save(out, "seed_inter_64x48_" + std::to_string(frame_seed), in);
  }
  // Motion P-frame payloads (mode 4, bitstream 3.x): vectors only, and vectors with a residual.
  {
    const int w = 64, h = 48;
    coding::MotionField field = coding::MotionField::for_frame(w, h);
    for (size_t i = 0; i < field.vectors.size(); ++i) field.vectors[i] = {int32_t(i % 5) - 2, int32_t(3 * i % 7) - 3};
    field.vectors[1] = {-300, 41};  // far outside the picture: edge extension
    std::vector<uint8_t> in = {uint8_t(w - 1), uint8_t(h - 1), 4};
    std::vector<uint8_t> skip = coding::encode_motion_payload(fuzz::kReferenceQuality, field, coding::MotionResidual::kNone);
    in.insert(in.end(), skip.begin(), skip.end());
    save(out, "seed_motion_64x48", in);
    const std::vector<uint8_t> residual = coding::encode_intra_payload(model, make_frame(w, h, 5), fuzz::kReferenceQuality);
    std::vector<uint8_t> with = coding::encode_motion_payload(fuzz::kReferenceQuality, field, coding::MotionResidual::kIntra, residual);
    in.resize(3);
    in.insert(in.end(), with.begin(), with.end());
    save(out, "seed_motion_residual_64x48", in);
    // A transform residual (4.0): made on the prediction the harness will have, the field
    // applied to the picture of its reference.
    const std::vector<uint8_t> intra = fuzz::payload_from_symbols(w, h, fuzz::kReferenceQuality, {}, {});
    coding::Reference ref;
    if (!coding::decode_intra_payload(model.decoding(), intra.data(), intra.size(), w, h, 1, &ref).ok()) return 1;
    Frame prediction;
    coding::predict_picture(model::synthesise_q10(model, ref.y_hat_q10, w, h, ref.quality), field, &prediction);
    const coding::TransformResidual transform =
        coding::encode_transform_residual(make_frame(w, h, 6), prediction, 24, coding::SampleLambdas{0.05, 0.05});
    std::vector<uint8_t> with_transform = coding::encode_motion_payload(
        fuzz::kReferenceQuality, field, coding::MotionResidual::kTransform, transform.bytes);
    in.resize(3);
    in.insert(in.end(), with_transform.begin(), with_transform.end());
    save(out, "seed_motion_transform_64x48", in);
  }
  // Symbol mode (mode 2): small latents, then huge ones (escapes to the ends of int32).
  for (int big = 0; big < 2; ++big) {
    std::vector<uint8_t> in = {63, 47, 2, uint8_t(big ? 99 : 49)};
    std::mt19937 rng(7 + big);
    for (int i = 0; i < 4 + 8 * 12; ++i) {
      if (big && i % 5 == 0) {
        const uint32_t v = i % 10 == 0 ? 0x7fffffffu : 0x80000000u;
        in.insert(in.end(), {0x80, uint8_t(v), uint8_t(v >> 8), uint8_t(v >> 16), uint8_t(v >> 24)});
      } else {
        in.push_back(uint8_t(rng() % 0x80));
      }
    }
    save(out, big ? "seed_symbols_huge" : "seed_symbols_small", in);
  }
  return 0;
}
