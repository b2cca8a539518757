// Encoder presets (vaec.h VaecPreset, coding/enc_preset.h): every preset's stream decodes to the
// encoder's pictures and names its preset; `slow`'s latent optimization never codes a picture
// at a higher rate-distortion cost than `medium`; a directory of models serves the preset's
// model to the encoder and the stream's to the decoder.
#include <filesystem>
#include <string>
#include <vector>

#include "api/model_directory.h"
#include "bitstream/container.h"
#include "coding/enc_frame.h"
#include "coding/enc_latent_optimization.h"
#include "coding/enc_preset.h"
#include "common/hash.h"
#include "metrics/psnr.h"
#include "model/intra.h"
#include "support/test_support.h"
#include "vaec/vaec.h"
#include "api_test_helpers.h"  // last: it brings Catch after LibTorch

using namespace vaec;
using namespace vaec::test;

namespace {

const std::string kWideModel = std::string(VAEC_SOURCE_DIR) + "/samples/vaec-wide.vaem";

bitstream::StreamHeader header_of(const Encoded& e) {
  bitstream::StreamHeader h;
  REQUIRE(bitstream::parse_header(e.records.at(0).data(), e.records.at(0).size(), &h).ok());
  return h;
}

ModelHash file_hash(const std::string& path) {
  const std::vector<uint8_t> bytes = model::read_model_file(path);
  return compute_model_hash(bytes.data(), bytes.size());
}

// bits + lambda * weighted MSE * pixels of one I-frame coded by a frame encoder with `options`,
// from its real payload and the picture a decoder makes of it.
double intra_cost(model::IntraModel& m, const Frame& frame, const coding::EncoderOptions& options) {
  coding::FrameEncoder encoder(m, options);
  const coding::CodedFrame coded = encoder.encode(frame);
  REQUIRE(coded.type == coding::FrameType::kIntra);
  const double mse = metrics::weighted_mse_yuv(frame, encoder.last_reconstruction());
  return 8.0 * double(coded.payload.size()) + m.lambda(options.quality) * mse * frame.width * frame.height;
}

}  // namespace

TEST_CASE("every preset's stream decodes to the encoder's pictures and records its preset", "[api][presets]") {
  test::TempDir tmp;
  const std::string model = tmp.path("tiny.vaem");
  write_tiny_model(model, 1);
  const std::vector<Frame> frames = {make_frame(64, 48, 0), make_frame(64, 48, 1), make_frame(64, 48, 2)};
  for (int preset : {VAEC_PRESET_DEFAULT, VAEC_PRESET_FAST, VAEC_PRESET_MEDIUM, VAEC_PRESET_SLOW,
                     VAEC_PRESET_VERYSLOW}) {
    CAPTURE(preset);
    VaecSettings s = settings_for(model, 64, 48);
    s.quality = 40;
    s.gop = 2;
    s.preset = preset;
    const std::vector<Frame> recon = encoder_reconstructions(s, frames);
    const Encoded enc = encode(s, frames);
    CHECK(int(header_of(enc).preset) == (preset == VAEC_PRESET_DEFAULT ? VAEC_PRESET_MEDIUM : preset));
    const Decoded dec = decode(s, enc.records);
    REQUIRE(dec.frames.size() == frames.size());
    for (size_t i = 0; i < frames.size(); ++i) CHECK(dec.frames[i].planes == recon[i].planes);
  }
  CHECK(std::string(vaec_preset_name(VAEC_PRESET_DEFAULT)) == "medium");
  CHECK(std::string(vaec_preset_name(VAEC_PRESET_VERYSLOW)) == "veryslow");
  CHECK(vaec_preset_name(5) == nullptr);

  VaecSettings bad = settings_for(model, 64, 48);
  bad.preset = 5;
  VaecContext* ctx = nullptr;
  CHECK(vaec_encoder_open(&ctx, &bad) == VAEC_EINVAL);
  CHECK(ctx == nullptr);
}

TEST_CASE("latent optimization lowers the model's cost and never the coded picture's", "[api][presets]") {
  model::IntraModel m = model::IntraModel::load(kWideModel);
  const Frame frame = make_frame(128, 96, 3);
  for (int quality : {20, 45}) {
    CAPTURE(quality);
    coding::EncoderOptions medium;
    medium.quality = quality;
    coding::apply_preset(coding::Preset::kMedium, &medium);
    coding::EncoderOptions slow = medium;
    slow.latent_optimization.iterations = 30;  // a short run: the rule, not the gain, is tested here

    // The optimization's own estimate: the best iterate is kept, so it can only fall, and on
    // a textured picture it does.
    const model::AnalysedFrame start = model::analyse_transform(m, frame, quality);
    coding::LatentOptimizationReport report;
    const model::AnalysedFrame optimised =
        coding::optimise_latents(m, frame, start, m.lambda(quality), slow.latent_optimization, &report);
    CHECK(report.best_cost < report.start_cost);
    CHECK(report.best_iteration > 0);
    CHECK(optimised.z.size() == model::z_shape(m, 128, 96).size());

    // The real cost (payload bytes, the decoder's picture): never above medium's.
    const double medium_cost = intra_cost(m, frame, medium), slow_cost = intra_cost(m, frame, slow);
    CHECK(slow_cost <= medium_cost);
  }
}

TEST_CASE("a directory of models: the preset's model encodes, the stream's decodes, a missing one is named",
          "[api][presets]") {
  test::TempDir tmp;
  const std::string dir = tmp.path("models");
  std::filesystem::create_directory(dir);
  write_tiny_model(dir + "/" + api::kFastModelFile, 1);
  write_tiny_model(dir + "/" + api::kModelFile, 2);
  const std::vector<Frame> frames = {make_frame(64, 48, 0), make_frame(64, 48, 1)};
  for (int preset : {VAEC_PRESET_FAST, VAEC_PRESET_SLOW}) {
    CAPTURE(preset);
    VaecSettings s = settings_for(dir, 64, 48);
    s.preset = preset;
    const Encoded enc = encode(s, frames);
    const std::string expected = dir + "/" + (preset == VAEC_PRESET_FAST ? api::kFastModelFile : api::kModelFile);
    CHECK(header_of(enc).model_hash == file_hash(expected));
    const Decoded dec = decode(s, enc.records);  // the directory again: the decoder finds the model
    CHECK(dec.frames.size() == frames.size());
    CHECK(dec.statuses.at(0) == VAEC_OK);
  }

  VaecSettings s = settings_for(dir, 64, 48);
  const Encoded enc = encode(s, frames);
  const ModelHash needed = header_of(enc).model_hash;
  char found[4096];
  REQUIRE(vaec_find_model(dir.c_str(), needed.data(), found, sizeof found) == VAEC_OK);
  CHECK(std::string(found) == dir + "/" + api::kModelFile);
  CHECK(vaec_find_model(dir.c_str(), needed.data(), found, 4) == VAEC_EINVAL);
  std::filesystem::remove(dir + "/" + api::kModelFile);
  CHECK(vaec_find_model(dir.c_str(), needed.data(), found, sizeof found) == VAEC_EMODEL);
  const Decoded dec = decode(s, enc.records);
  CHECK(dec.statuses.at(0) == VAEC_EMODEL);
  CHECK(dec.frames.empty());
  CHECK(dec.detail.find(hash_hex(needed)) != std::string::npos);
  CHECK(dec.detail.find("none of the models") != std::string::npos);
}
