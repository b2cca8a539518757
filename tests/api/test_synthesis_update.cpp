// Synthesis updates (model/synthesis_update.h, coding/synthesis_update_payload.h,
// coding/enc_synthesis_update.h): the fitted update lowers the picture's error, survives its
// sub-stream exactly, makes a 5.0 stream whose decoder shows the encoder's pictures, and a
// damaged or misplaced update is an error, never a wrong picture.
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "bitstream/container.h"
#include "bitstream/substreams.h"
#include "coding/dec_frame.h"
#include "coding/dec_intra.h"
#include "coding/enc_frame.h"
#include "coding/enc_intra.h"
#include "coding/enc_synthesis_update.h"
#include "coding/intra_payload.h"
#include "coding/synthesis_update_payload.h"
#include "metrics/psnr.h"
#include "model/decoding.h"
#include "model/incremental_synthesis.h"
#include "model/intra.h"
#include "support/test_support.h"
#include "api_test_helpers.h"  // last: it brings Catch after LibTorch

using namespace vaec;
using namespace vaec::test;

namespace {

const std::string kWideModel = std::string(VAEC_SOURCE_DIR) + "/samples/vaec-wide.vaem";

// An I-frame's latents for `frame` at `quality`, as the encoder codes them.
coding::Reference intra_reference(model::IntraModel& m, const Frame& frame, int quality) {
  coding::Reference ref;
  coding::encode_intra_payload(m, model::analyse_transform(m, frame, quality), &ref);
  REQUIRE(ref.valid());
  return ref;
}

// Prices that make an update pay on a small picture (its bits weigh much against 128x96).
coding::SampleLambdas generous_prices(model::IntraModel& m, int quality) {
  const double lambda = m.lambda(quality);
  return {lambda * 6 / 8, lambda / 2};
}

bool same_parameters(const model::IntegerSynthesis& a, const model::IntegerSynthesis& b) {
  const auto &p = a.params(), &q = b.params();
  for (int i = 0; i < 3; ++i)
    if (p.conv[i].weight != q.conv[i].weight || p.conv[i].bias != q.conv[i].bias || p.conv[i].shift != q.conv[i].shift)
      return false;
  return true;
}

}  // namespace

TEST_CASE("a fitted synthesis update lowers the picture's error and round-trips exactly", "[synthesis_update]") {
  model::IntraModel m = model::IntraModel::load(kWideModel);
  const Frame frame = make_frame(128, 96, 5);
  const int quality = 30;
  const coding::Reference ref = intra_reference(m, frame, quality);
  const coding::FittedSynthesisUpdate fitted = coding::fit_synthesis_update(
      m.decoding(), frame, ref.y_hat_q10, ref.quality, generous_prices(m, quality), 16, 1);
  REQUIRE_FALSE(fitted.bytes.empty());
  REQUIRE(fitted.synthesis);
  CHECK(fitted.gain > 0);

  const Frame before = model::synthesise_q10(m.decoding(), ref.y_hat_q10, 128, 96, ref.quality, 1);
  const Frame after = model::synthesise_q10(m.decoding(), ref.y_hat_q10, 128, 96, ref.quality, 1, fitted.synthesis.get());
  CHECK(metrics::weighted_mse_yuv(frame, after) < metrics::weighted_mse_yuv(frame, before));
  // Its gain is exactly the decoder's pictures' distortion saved, less its bytes (framed).
  auto sse = [&](const Frame& f, int p) {
    double sum = 0;
    for (size_t i = 0; i < f.planes[p].size(); ++i) sum += std::pow(double(f.planes[p][i]) - frame.planes[p][i], 2);
    return sum;
  };
  const coding::SampleLambdas prices = generous_prices(m, quality);
  const double saved = prices.luma * (sse(before, 0) - sse(after, 0)) +
                       prices.chroma * (sse(before, 1) - sse(after, 1) + sse(before, 2) - sse(after, 2));
  std::vector<uint8_t> framed;
  bitstream::append_substream(fitted.bytes.data(), fitted.bytes.size(), &framed);
  CHECK(fitted.gain == Approx(16 * saved - 8.0 * double(framed.size())).epsilon(1e-9));

  // The sub-stream gives back exactly the synthesis the encoder made its pictures with.
  model::SynthesisUpdate parsed;
  REQUIRE(coding::parse_synthesis_update(m.decoding().integer_synthesis(), fitted.bytes.data(), fitted.bytes.size(),
                                         &parsed)
              .ok());
  const model::IntegerSynthesis applied = model::apply_synthesis_update(m.decoding().integer_synthesis(), parsed);
  CHECK(same_parameters(applied, *fitted.synthesis));
  CHECK_FALSE(same_parameters(applied, m.decoding().integer_synthesis()));

  // Only the last layer's centre taps and biases differ from the model's.
  const auto& base = m.decoding().integer_synthesis().params().conv[2];
  const auto& changed = applied.params().conv[2];
  for (size_t k = 0; k < base.weight.size(); ++k)
    if (k % 9 != 4) REQUIRE(changed.weight[k] == base.weight[k]);

  // Incremental synthesis: the same latents under another synthesis are made again, whole.
  model::IncrementalSynthesis incremental;
  const auto shared = std::make_shared<const model::IntegerSynthesis>(applied);
  CHECK(incremental.run(m.decoding(), ref.y_hat_q10, 128, 96, ref.quality, 1).planes == before.planes);
  CHECK(incremental.run(m.decoding(), ref.y_hat_q10, 128, 96, ref.quality, 1, shared).planes == after.planes);
  CHECK(incremental.run(m.decoding(), ref.y_hat_q10, 128, 96, ref.quality, 1).planes == before.planes);
}

TEST_CASE("a damaged or misplaced synthesis update is an error", "[synthesis_update]") {
  model::IntraModel m = model::IntraModel::load(kWideModel);
  const Frame frame = make_frame(128, 96, 6);
  const int quality = 30;
  coding::Reference ref;
  const std::vector<uint8_t> plain = coding::encode_intra_payload(m, model::analyse_transform(m, frame, quality), &ref);
  const coding::FittedSynthesisUpdate fitted = coding::fit_synthesis_update(
      m.decoding(), frame, ref.y_hat_q10, ref.quality, generous_prices(m, quality), 16, 1);
  REQUIRE_FALSE(fitted.bytes.empty());
  const model::IntegerSynthesis& base = m.decoding().integer_synthesis();

  // Every single-byte change of the sub-stream is refused (its check, or its syntax).
  for (size_t at = 0; at < fitted.bytes.size(); ++at)
    for (uint8_t flip : {uint8_t(0x01), uint8_t(0x80)}) {
      std::vector<uint8_t> damaged = fitted.bytes;
      damaged[at] ^= flip;
      model::SynthesisUpdate u;
      const Status st = coding::parse_synthesis_update(base, damaged.data(), damaged.size(), &u);
      CAPTURE(at, int(flip));
      CHECK_FALSE(st.ok());
    }
  // Cut short: refused too.
  for (size_t size : {size_t(0), size_t(5), fitted.bytes.size() / 2}) {
    model::SynthesisUpdate u;
    CHECK_FALSE(coding::parse_synthesis_update(base, fitted.bytes.data(), size, &u).ok());
  }

  // In a payload: decoded with its synthesis in a 5.x stream, refused in an older one.
  std::vector<uint8_t> payload = plain;
  coding::insert_synthesis_update(fitted.bytes, &payload);
  coding::Reference decoded;
  coding::RefinementBytes refinement;
  REQUIRE(coding::decode_intra_payload(m.decoding(), payload.data(), payload.size(), 128, 96, 1, &decoded, &refinement,
                                       true)
              .ok());
  REQUIRE(decoded.synthesis);
  CHECK(same_parameters(*decoded.synthesis, *fitted.synthesis));
  CHECK(decoded.y_hat_q10 == ref.y_hat_q10);
  CHECK_FALSE(coding::decode_intra_payload(m.decoding(), payload.data(), payload.size(), 128, 96, 1, &decoded,
                                           &refinement, false)
                  .ok());
  CHECK_FALSE(decoded.valid());
  // A payload without an update leaves the model's synthesis.
  REQUIRE(coding::decode_intra_payload(m.decoding(), plain.data(), plain.size(), 128, 96, 1, &decoded, &refinement, true)
              .ok());
  CHECK_FALSE(decoded.synthesis);
  // Damage inside the payload's update: the frame fails, it is not shown wrong.
  payload[3] ^= 0x10;
  CHECK_FALSE(coding::decode_intra_payload(m.decoding(), payload.data(), payload.size(), 128, 96, 1, &decoded,
                                           &refinement, true)
                  .ok());

  // Another model's last layer (a tiny model, S = 8) does not take it.
  test::TempDir tmp;
  write_tiny_model(tmp.path("tiny.vaem"), 1);
  const model::LoadedDecodingModel tiny = model::load_decoding_model(tmp.path("tiny.vaem"));
  if (tiny.model.integer_synthesis().params().hidden_channels != base.params().hidden_channels) {
    model::SynthesisUpdate u;
    CHECK_FALSE(coding::parse_synthesis_update(tiny.model.integer_synthesis(), fitted.bytes.data(), fitted.bytes.size(),
                                               &u)
                    .ok());
  }
}

TEST_CASE("a GOP coded with a synthesis update decodes to the encoder's pictures", "[synthesis_update]") {
  model::IntraModel m = model::IntraModel::load(kWideModel);
  coding::EncoderOptions options;
  options.quality = 30;
  options.gop = 3;
  options.synthesis_update_weight = 16;
  coding::FrameEncoder encoder(m, options);
  coding::FrameDecoder decoder(m.decoding(), 128, 96, bitstream::kSynthesisUpdateMajor, 1);
  int updates = 0;
  for (int i = 0; i < 6; ++i) {
    CAPTURE(i);
    const Frame input = make_frame(128, 96, i / 3 * 40 + i % 3);  // two scenes of three frames
    const coding::CodedFrame coded = encoder.encode(input);
    if (coded.type == coding::FrameType::kIntra && (coded.payload[0] & coding::kSynthesisUpdateFlag)) ++updates;
    Frame picture;
    REQUIRE(decoder.decode(coded.type, coded.payload.data(), coded.payload.size(), &picture).ok());
    CHECK(picture.planes == encoder.last_reconstruction().planes);
  }
  CHECK(updates == 2);  // each GOP's I-frame carries one (the weight makes them pay)
}

TEST_CASE("streams are written as 4.2 unless they may carry synthesis updates (5.0)", "[synthesis_update]") {
  // Through the API: every preset writes 5.0 unless limited to 4.x, and then sends no update.
  const std::vector<Frame> frames = {make_frame(128, 96, 7), make_frame(128, 96, 8)};
  for (int preset : {VAEC_PRESET_FAST, VAEC_PRESET_MEDIUM})
    for (int max_major : {0, 4}) {
      CAPTURE(preset, max_major);
      VaecSettings s = settings_for(kWideModel, 128, 96);
      s.preset = preset;
      s.quality = 30;
      s.max_bitstream_major = max_major;
      const Encoded enc = encode(s, frames);
      bitstream::StreamHeader header;
      REQUIRE(bitstream::parse_header(enc.records[0].data(), enc.records[0].size(), &header).ok());
      const bool updates = max_major == 0;
      CHECK(header.version_major == (updates ? 5 : 4));
      // The I-frame's payload follows the 24-byte record header.
      const bool flagged = (enc.records[1][bitstream::kPacketHeaderSize] & coding::kSynthesisUpdateFlag) != 0;
      if (!updates) CHECK_FALSE(flagged);
      CHECK(decode(s, enc.records).frames.size() == frames.size());
    }
  VaecSettings bad = settings_for(kWideModel, 128, 96);
  bad.max_bitstream_major = 3;
  VaecContext* ctx = nullptr;
  CHECK(vaec_encoder_open(&ctx, &bad) == VAEC_EINVAL);
  CHECK(ctx == nullptr);

  // The records themselves.
  bitstream::StreamHeader h;
  h.width = 64;
  h.height = 48;
  h.fps_num = 25;
  std::vector<uint8_t> record;
  bitstream::StreamHeader parsed;
  REQUIRE(bitstream::serialize_header(h, &record).ok());
  REQUIRE(bitstream::parse_header(record.data(), record.size(), &parsed).ok());
  CHECK((parsed.version_major == 4 && parsed.version_minor == 2));
  h.version_major = bitstream::kSynthesisUpdateMajor;
  REQUIRE(bitstream::serialize_header(h, &record).ok());
  REQUIRE(bitstream::parse_header(record.data(), record.size(), &parsed).ok());
  CHECK((parsed.version_major == 5 && parsed.version_minor == 0));
}
