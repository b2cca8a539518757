// The C API's encoder and decoder on a tiny random model: round trips, bit-exact
// reconstruction, model mismatch, damaged packets and bad arguments.
#include <cstring>
#include <vector>

#include "support/test_support.h"
#include "vaec/vaec.h"
#include "api_test_helpers.h"  // last: it brings Catch after LibTorch


using namespace vaec;
using namespace vaec::test;

TEST_CASE("encode then decode gives every frame, odd sizes kept, identical to the encoder's reconstruction", "[api]") {
  test::TempDir tmp;
  const std::string model = tmp.path("tiny.vaem");
  write_tiny_model(model, 1);
  std::vector<Frame> frames = {test::make_frame(71, 49, 0), test::make_frame(71, 49, 1), test::make_frame(71, 49, 2)};
  auto s = settings_for(model, 71, 49);

  const std::vector<Frame> recon = encoder_reconstructions(s, frames);

  auto enc = encode(s, frames);
  REQUIRE(enc.records.size() == frames.size() + 1);
  auto dec = decode(s, enc.records);
  REQUIRE(dec.frames.size() == frames.size());
  for (size_t i = 0; i < frames.size(); ++i) {
    CHECK(dec.frames[i].width == 71);
    CHECK(dec.frames[i].height == 49);
    for (int p = 0; p < 3; ++p) CHECK(dec.frames[i].planes[p] == recon[i].planes[p]);
  }
}

TEST_CASE("a stream made with another model is refused, naming both hashes", "[api][errors]") {
  test::TempDir tmp;
  write_tiny_model(tmp.path("a.vaem"), 1);
  write_tiny_model(tmp.path("b.vaem"), 2);
  const std::string a = tmp.path("a.vaem"), b = tmp.path("b.vaem");
  auto enc = encode(settings_for(a, 64, 64), {test::make_frame(64, 64, 0)});
  auto dec = decode(settings_for(b, 64, 64), enc.records);
  CHECK(dec.statuses.at(0) == VAEC_EMODEL);
  CHECK(dec.detail.find("b.vaem") != std::string::npos);
  CHECK(dec.detail.find("made with model") != std::string::npos);
}

TEST_CASE("a damaged I-frame fails alone, and the next I-frame still decodes", "[api][errors]") {
  test::TempDir tmp;
  const std::string model = tmp.path("tiny.vaem");
  write_tiny_model(model, 1);
  auto s = settings_for(model, 64, 64);
  s.gop = 1;  // all intra
  auto enc = encode(s, {test::make_frame(64, 64, 0), test::make_frame(64, 64, 1), test::make_frame(64, 64, 2)});
  enc.records[2][30] ^= 0x40;  // a payload byte of frame 1
  auto dec = decode(s, enc.records);
  const std::vector<int> expected = {VAEC_OK, VAEC_OK, VAEC_ECHECKSUM, VAEC_OK};
  CHECK(dec.statuses == expected);
  CHECK(dec.frames.size() == 2);
  CHECK(dec.detail.find("frame 1") != std::string::npos);

  std::vector<std::vector<uint8_t>> cut = {enc.records[0], std::vector<uint8_t>(enc.records[1].begin(), enc.records[1].end() - 5)};
  CHECK(decode(s, cut).statuses.at(1) == VAEC_ETRUNCATED);
}

TEST_CASE("bad settings and calls are refused with a status, never a crash", "[api][errors]") {
  test::TempDir tmp;
  const std::string model = tmp.path("tiny.vaem");
  write_tiny_model(model, 1);
  VaecContext* ctx = nullptr;
  auto s = settings_for(model, 64, 64);
  SECTION("quality") {
    s.quality = 101;
    CHECK(vaec_encoder_open(&ctx, &s) == VAEC_EINVAL);
    CHECK(std::string(vaec_error_detail(nullptr)).find("quality") != std::string::npos);
  }
  SECTION("size") {
    s.width = 100000;
    CHECK(vaec_encoder_open(&ctx, &s) == VAEC_EINVAL);
  }
  SECTION("missing model") {
    std::string missing = tmp.path("missing.vaem");
    s.model_path = missing.c_str();
    CHECK(vaec_encoder_open(&ctx, &s) == VAEC_EMODEL);
    CHECK(vaec_decoder_open(&ctx, &s) == VAEC_EMODEL);
  }
  SECTION("damaged model") {
    test::run("head -c 1000 " + model + " > " + tmp.path("cut.vaem"));
    std::string cut = tmp.path("cut.vaem");
    s.model_path = cut.c_str();
    CHECK(vaec_decoder_open(&ctx, &s) == VAEC_EMODEL);
  }
  SECTION("null arguments and wrong context kind") {
    CHECK(vaec_encoder_open(nullptr, &s) == VAEC_EINVAL);
    CHECK(vaec_send_frame(nullptr, nullptr) == VAEC_EINVAL);
    REQUIRE(vaec_decoder_open(&ctx, &s) == VAEC_OK);
    CHECK(vaec_send_frame(ctx, nullptr) == VAEC_EINVAL);
    uint8_t junk[40] = {1, 2, 3};
    VaecPacket in{};
    in.data = junk;
    in.size = sizeof junk;
    CHECK(vaec_send_packet(ctx, &in) < 0);
    vaec_close(&ctx);
  }
  CHECK(ctx == nullptr);
  vaec_close(nullptr);
}
