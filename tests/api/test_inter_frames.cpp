// P-frames through the C API with the shipped model: bit-exact reconstruction over a GOP,
// GOP and scene-cut I-frames, decoding from a mid-stream I-frame, and damaged references.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "bitstream/container.h"
#include "coding/dec_intra.h"
#include "coding/dec_motion.h"
#include "coding/enc_intra.h"
#include "coding/enc_motion.h"
#include "model/decoding.h"
#include "model/intra.h"
#include "entropy/byte_io.h"
#include "common/hash.h"
#include "metrics/psnr.h"
#include "support/test_support.h"
#include "vaec/vaec.h"
#include "api_test_helpers.h"  // last: it brings Catch after LibTorch


using namespace vaec;
using namespace vaec::test;

namespace {

const std::string kModel = std::string(VAEC_SOURCE_DIR) + "/samples/vaec.vaem";
constexpr int kW = 128, kH = 96;

// A static camera: one scene with fresh sensor noise in every frame.
std::vector<Frame> static_scene(int count, int scene = 0) {
  std::vector<Frame> frames;
  const Frame base = make_frame(kW, kH, scene);
  for (int i = 0; i < count; ++i) frames.push_back(add_noise(base, 2, uint32_t(100 * scene + i + 1)));
  return frames;
}

// A different picture: the scene turned upside down and negated.
Frame cut_of(const Frame& f) {
  Frame out = f;
  for (auto& plane : out.planes) {
    std::reverse(plane.begin(), plane.end());
    for (auto& s : plane) s = uint8_t(255 - s);
  }
  return out;
}

std::vector<VaecFrameType> frame_types(const Encoded& e) {
  return std::vector<VaecFrameType>(e.types.begin() + 1, e.types.end());  // without the header
}

double psnr_y(const Frame& a, const Frame& b) {
  double se = 0;
  for (size_t i = 0; i < a.planes[0].size(); ++i) {
    const double d = double(a.planes[0][i]) - double(b.planes[0][i]);
    se += d * d;
  }
  return 10 * std::log10(255.0 * 255.0 * double(a.planes[0].size()) / std::max(se, 1e-9));
}

// The records with a header that claims bitstream `major`.0: the 72 bytes such a writer made
// (no preset, 4.1's), its checksum redone.
std::vector<std::vector<uint8_t>> claiming_major(std::vector<std::vector<uint8_t>> records, uint16_t major) {
  records[0].resize(72);
  store_le16(&records[0][8], major);
  store_le16(&records[0][10], 0);
  store_le32(&records[0][12], 72);
  store_le64(&records[0][64], xxh3_64(records[0].data(), 64));
  return records;
}

constexpr VaecFrameType I = VAEC_FRAME_I, P = VAEC_FRAME_P;

}  // namespace

TEST_CASE("P-frames: a whole GOP decodes bit-exactly to the encoder's reconstruction", "[api][inter]") {
  auto s = settings_for(kModel, kW, kH);
  s.gop = 6;
  s.quality = 60;
  const std::vector<Frame> frames = static_scene(8);

  const std::vector<Frame> recon = encoder_reconstructions(s, frames);
  const Encoded enc = encode(s, frames);
  CHECK(frame_types(enc) == std::vector<VaecFrameType>{I, P, P, P, P, P, I, P});
  const Decoded dec = decode(s, enc.records);
  REQUIRE(dec.frames.size() == frames.size());
  CHECK(dec.types == frame_types(enc));
  for (size_t i = 0; i < frames.size(); ++i) {
    INFO("frame " << i);
    for (int p = 0; p < 3; ++p) CHECK(dec.frames[i].planes[p] == recon[i].planes[p]);
  }
}

TEST_CASE("P-frames of a static scene cost far less than its I-frame, at no loss of quality", "[api][inter]") {
  auto s = settings_for(kModel, kW, kH);
  s.quality = 60;
  const std::vector<Frame> frames = static_scene(4);
  const Encoded enc = encode(s, frames);
  REQUIRE(frame_types(enc) == std::vector<VaecFrameType>{I, P, P, P});
  const Decoded dec = decode(s, enc.records);
  REQUIRE(dec.frames.size() == 4);
  const double intra_psnr = psnr_y(frames[0], dec.frames[0]);
  for (size_t i = 2; i < enc.records.size(); ++i) {
    INFO("frame " << i - 1);
    CHECK(enc.records[i].size() * 2 < enc.records[1].size());
    CHECK(psnr_y(frames[i - 1], dec.frames[i - 1]) > intra_psnr - 1.5);
  }
}

TEST_CASE("a scene cut starts a new GOP with an I-frame", "[api][inter]") {
  auto s = settings_for(kModel, kW, kH);
  s.gop = 32;
  s.quality = GENERATE(40, 70);  // 70: motion P-frames with a transform residual compete too
  INFO("quality " << s.quality);
  std::vector<Frame> frames = static_scene(3);
  // Another scene, negated and upside down (the same one only negated left its P-frame within
  // bytes of the cut threshold: a better I-frame picture, no other change, moved it below).
  for (const Frame& f : static_scene(3, 7)) frames.push_back(cut_of(f));
  CHECK(frame_types(encode(s, frames)) == std::vector<VaecFrameType>{I, P, P, I, P, P});
}

TEST_CASE("decoding from a mid-stream I-frame gives the same frames as a full decode", "[api][inter]") {
  auto s = settings_for(kModel, kW, kH);
  s.gop = 3;
  const Encoded enc = encode(s, static_scene(7));
  REQUIRE(frame_types(enc) == std::vector<VaecFrameType>{I, P, P, I, P, P, I});
  const Decoded full = decode(s, enc.records);
  std::vector<std::vector<uint8_t>> from_3 = {enc.records[0]};
  from_3.insert(from_3.end(), enc.records.begin() + 4, enc.records.end());
  const Decoded part = decode(s, from_3);
  REQUIRE(part.frames.size() == 4);
  for (size_t i = 0; i < 4; ++i)
    for (int p = 0; p < 3; ++p) CHECK(part.frames[i].planes[p] == full.frames[i + 3].planes[p]);
}

TEST_CASE("a damaged frame loses the P-frames after it until the next I-frame", "[api][inter][errors]") {
  auto s = settings_for(kModel, kW, kH);
  s.gop = 4;
  Encoded enc = encode(s, static_scene(6));
  REQUIRE(frame_types(enc) == std::vector<VaecFrameType>{I, P, P, P, I, P});
  enc.records[2][30] ^= 0x08;  // frame 1 (a P-frame)
  const Decoded dec = decode(s, enc.records);
  const std::vector<int> expected = {VAEC_OK, VAEC_OK, VAEC_ECHECKSUM, VAEC_EINVALIDDATA, VAEC_EINVALIDDATA,
                                     VAEC_OK, VAEC_OK};
  CHECK(dec.statuses == expected);
  CHECK(dec.frames.size() == 3);

  // A stream that starts at a P-frame: refused, saying where decoding must start.
  const Decoded orphan = decode(s, {enc.records[0], enc.records[6]});
  CHECK(orphan.statuses.at(1) == VAEC_EINVALIDDATA);
  CHECK(orphan.detail.find("I-frame") != std::string::npos);
}

TEST_CASE("a P-frame whose predecessor never arrived is refused, not decoded on a stale reference",
          "[api][inter][errors]") {
  auto s = settings_for(kModel, kW, kH);
  s.gop = 4;
  const Encoded enc = encode(s, static_scene(6));
  REQUIRE(frame_types(enc) == std::vector<VaecFrameType>{I, P, P, P, I, P});
  // Frame 2's record is lost in transport (never sent): frames 3 predicts from it.
  const Decoded dec = decode(s, {enc.records[0], enc.records[1], enc.records[2], enc.records[4], enc.records[5],
                                 enc.records[6]});
  CHECK(dec.statuses == std::vector<int>{VAEC_OK, VAEC_OK, VAEC_OK, VAEC_EINVALIDDATA, VAEC_OK, VAEC_OK});
  CHECK(dec.frames.size() == 4);
  CHECK(dec.detail.find("frame 3") != std::string::npos);
}


TEST_CASE("quality 100: refined I- and P-frames reach 42 dB and decode exactly to the encoder's pictures",
          "[api][inter][refinement]") {
  auto s = settings_for(kModel, kW, kH);
  s.gop = 3;
  s.quality = 100;
  const std::vector<Frame> frames = static_scene(5, 2);
  const std::vector<Frame> recon = encoder_reconstructions(s, frames);
  const Encoded enc = encode(s, frames);
  CHECK(frame_types(enc) == std::vector<VaecFrameType>{I, P, P, I, P});
  const Decoded dec = decode(s, enc.records);
  REQUIRE(dec.frames.size() == frames.size());
  for (size_t i = 0; i < frames.size(); ++i) {
    INFO("frame " << i);
    for (int p = 0; p < 3; ++p) CHECK(dec.frames[i].planes[p] == recon[i].planes[p]);
    CHECK(metrics::psnr_from_mse(metrics::weighted_mse_yuv(frames[i], dec.frames[i])) >= 42.0);
  }
  // The model alone (quality 50) stays well below: the refinement is what reaches 42 dB.
  s.quality = 50;
  const Decoded plain = decode(s, encode(s, frames).records);
  REQUIRE(plain.frames.size() == frames.size());
  CHECK(metrics::psnr_from_mse(metrics::weighted_mse_yuv(frames[0], plain.frames[0])) < 38.0);
}

TEST_CASE("a 1.x stream may not carry refinement sub-streams", "[api][inter][refinement][errors]") {
  auto s = settings_for(kModel, kW, kH);
  s.quality = 90;
  s.max_bitstream_major = 4;  // no synthesis update, which a 1.x stream would refuse first
  const std::vector<Frame> frames = static_scene(1);
  const Encoded enc = encode(s, frames);
  REQUIRE(enc.records[0].size() == bitstream::kHeaderSize);
  const Decoded dec = decode(s, claiming_major(enc.records, 1));  // 1.0: payloads end after y
  CHECK(dec.statuses[0] == VAEC_OK);
  CHECK(dec.statuses[1] == VAEC_EINVALIDDATA);
  CHECK(dec.detail.find("trailing bytes") != std::string::npos);
  CHECK(dec.frames.empty());
}

namespace {

// A camera panning over a scene: window (x0 + 3 t, y0 + 2 t) of a larger picture, with fresh
// sensor noise in every frame.
std::vector<Frame> panning_scene(int count) {
  const Frame world = make_frame(kW + 3 * count + 8, kH + 2 * count + 8, 7);
  std::vector<Frame> frames;
  for (int t = 0; t < count; ++t) {
    Frame f;
    f.allocate(kW, kH);
    for (int p = 0; p < 3; ++p) {
      const int s = p ? 2 : 1, ww = world.plane_width(p);
      for (int y = 0; y < f.plane_height(p); ++y)
        for (int x = 0; x < f.plane_width(p); ++x)
          f.planes[p][size_t(y) * f.plane_width(p) + x] =
              world.planes[p][size_t(y + 2 * t / s) * ww + x + 3 * t / s];
    }
    frames.push_back(add_noise(f, 2, uint32_t(t + 1)));
  }
  return frames;
}

bool is_motion_record(const std::vector<uint8_t>& record) {
  return record.size() > bitstream::kPacketHeaderSize && record[bitstream::kPacketHeaderSize] == 0xFF;
}

// Every picture decoded from `enc` is the encoder's reconstruction, none far below the first's.
void check_decodes_as_encoded(const VaecSettings& s, const Encoded& enc, const std::vector<Frame>& frames,
                              const std::vector<Frame>& recon) {
  const Decoded dec = decode(s, enc.records);
  REQUIRE(dec.frames.size() == frames.size());
  for (size_t i = 0; i < frames.size(); ++i) {
    INFO("frame " << i);
    for (int p = 0; p < 3; ++p) CHECK(dec.frames[i].planes[p] == recon[i].planes[p]);
    CHECK(psnr_y(frames[i], dec.frames[i]) > psnr_y(frames[0], dec.frames[0]) - 2.0);
  }
}

}  // namespace

TEST_CASE("the fast preset's motion-first P-frames: bit-exact, motion on a pan, no drift on a still scene",
          "[api][inter][presets]") {
  auto s = settings_for(kModel, kW, kH);  // an explicit model file: the preset changes the encoder only
  s.quality = 40;
  s.preset = VAEC_PRESET_FAST;
  const std::vector<Frame> pan = panning_scene(6);
  const Encoded enc = encode(s, pan);
  REQUIRE(frame_types(enc) == std::vector<VaecFrameType>{I, P, P, P, P, P});
  for (size_t i = 2; i < enc.records.size(); ++i) CHECK(is_motion_record(enc.records[i]));
  check_decodes_as_encoded(s, enc, pan, encoder_reconstructions(s, pan));

  // A static camera over 12 frames: a chain of motion P-frames may not drift past the cap
  // (1.3 times the I-frame's squared error); it falls back to the full decision instead.
  const std::vector<Frame> still = static_scene(12);
  const Encoded enc_still = encode(s, still);
  const std::vector<Frame> recon = encoder_reconstructions(s, still);
  const Decoded dec = decode(s, enc_still.records);
  REQUIRE(dec.frames.size() == still.size());
  for (size_t i = 0; i < still.size(); ++i) {
    INFO("frame " << i);
    for (int p = 0; p < 3; ++p) CHECK(dec.frames[i].planes[p] == recon[i].planes[p]);
    CHECK(psnr_y(still[i], dec.frames[i]) > psnr_y(still[0], dec.frames[0]) - 1.5);
  }
}

TEST_CASE("motion P-frames: a panning camera decodes bit-exactly and costs far less than I-frames", "[api][inter]") {
  auto s = settings_for(kModel, kW, kH);
  s.quality = 40;  // below the refinement layer's qualities, where motion P-frames are tried
  s.max_bitstream_major = 4;  // no synthesis update, which a 2.x stream would refuse first
  const std::vector<Frame> frames = panning_scene(6);
  const std::vector<Frame> recon = encoder_reconstructions(s, frames);
  const Encoded enc = encode(s, frames);
  REQUIRE(frame_types(enc) == std::vector<VaecFrameType>{I, P, P, P, P, P});
  int motion = 0;
  size_t p_bytes = 0;
  for (size_t i = 2; i < enc.records.size(); ++i) {
    motion += is_motion_record(enc.records[i]);
    p_bytes += enc.records[i].size();
  }
  CHECK(motion >= 3);  // the latent P-frame cannot follow a pan; motion can
  CHECK(p_bytes / (enc.records.size() - 2) * 3 < enc.records[1].size());  // a P-frame: under a third of the I-frame
  check_decodes_as_encoded(s, enc, frames, recon);

  SECTION("a 2.x stream may not carry motion P-frames") {
    const Decoded d = decode(s, claiming_major(enc.records, 2));
    CHECK(d.statuses[0] == VAEC_OK);
    CHECK(d.detail.find("older than 3.0") != std::string::npos);
    CHECK(d.frames.size() < frames.size());
  }

  SECTION("a lost frame loses the motion P-frames after it, up to the next I-frame") {
    std::vector<std::vector<uint8_t>> damaged = enc.records;
    damaged.erase(damaged.begin() + 3);  // frame 2
    const Decoded d = decode(s, damaged);
    CHECK(d.frames.size() == 2);  // frames 0 and 1; 3..5 predict from what was lost
  }
}

TEST_CASE("motion P-frames: what the motion misses is coded as a transform residual (4.0)", "[api][inter]") {
  auto s = settings_for(kModel, kW, kH);
  s.quality = GENERATE(40, 80);  // 80: against latent P-frames with their refinement layer
  s.max_bitstream_major = 4;      // no synthesis update, which a 3.x stream would refuse first
  INFO("quality " << s.quality);
  // The pan, plus a patch whose content changes every frame: no vector predicts it.
  std::vector<Frame> frames = panning_scene(6);
  for (size_t t = 1; t < frames.size(); ++t)
    for (int y = 8; y < 24; ++y)
      for (int x = 16; x < 40; ++x) frames[t].planes[0][size_t(y) * kW + x] = uint8_t(40 * t + 3 * ((x ^ y) & 7));
  const std::vector<Frame> recon = encoder_reconstructions(s, frames);
  const Encoded enc = encode(s, frames);
  int transform = 0;
  for (size_t i = 2; i < enc.records.size(); ++i)
    transform += is_motion_record(enc.records[i]) && enc.records[i][bitstream::kPacketHeaderSize + 2] == 2;
  CHECK(transform >= 2);
  check_decodes_as_encoded(s, enc, frames, recon);

  SECTION("a 3.x stream may not carry transform residuals") {
    const Decoded d = decode(s, claiming_major(enc.records, 3));
    CHECK(d.statuses[0] == VAEC_OK);
    CHECK(d.detail.find("older than 4.0") != std::string::npos);
    CHECK(d.frames.size() < frames.size());
  }
}

TEST_CASE("motion P-frames with an intra residual, which the encoder no longer makes, decode as specified",
          "[api][inter]") {
  model::IntraModel model = model::IntraModel::load(kModel);
  const int q = 30;
  const Frame previous = make_frame(kW, kH, 1);
  coding::MotionField field = coding::MotionField::for_frame(kW, kH);
  for (size_t i = 0; i < field.vectors.size(); ++i) field.vectors[i] = {int32_t(i % 7) - 3, int32_t(i % 3)};
  Frame prediction;
  coding::predict_picture(previous, field, &prediction);
  // The residual picture (offset by 128) that the intra VAE codes.
  Frame residual = add_noise(make_frame(kW, kH, 2), 20, 3);
  for (auto& plane : residual.planes)
    for (auto& v : plane) v = uint8_t(128 + (int(v) - 128) / 4);
  const std::vector<uint8_t> coded = coding::encode_intra_payload(model, residual, q);
  const std::vector<uint8_t> payload =
      coding::encode_motion_payload(q, field, coding::MotionResidual::kIntra, coded);
  Frame picture;
  REQUIRE(coding::decode_motion_payload(model.decoding(), payload.data(), payload.size(), previous,
                                        bitstream::kVersionMajor, 2, &picture)
              .ok());
  // docs/bitstream.md §3.2: clamp(prediction + r - 128, 0, 255), r the residual's picture.
  coding::Reference decoded;
  REQUIRE(coding::decode_intra_payload(model.decoding(), coded.data(), coded.size(), kW, kH, 1, &decoded).ok());
  const Frame r = model::synthesise_q10(model.decoding(), decoded.y_hat_q10, kW, kH, q, 1);
  int changed = 0;
  for (int p = 0; p < 3; ++p)
    for (size_t i = 0; i < picture.planes[p].size(); ++i) {
      const int expected = std::clamp(int(prediction.planes[p][i]) + int(r.planes[p][i]) - 128, 0, 255);
      REQUIRE(int(picture.planes[p][i]) == expected);
      changed += expected != prediction.planes[p][i];
    }
  CHECK(changed > int(picture.planes[0].size()) / 4);  // the residual did something
  // Its quality byte must be the frame's.
  std::vector<uint8_t> other = payload;
  other[1] = uint8_t(q + 1);
  CHECK_FALSE(coding::decode_motion_payload(model.decoding(), other.data(), other.size(), previous,
                                            bitstream::kVersionMajor, 2, &picture)
                  .ok());
}
