// The model file's container without LibTorch (model/raw_tensor_file.h): round trip, and
// damaged, truncated, foreign or hostile bytes refused with a ModelFileError before anything is
// allocated from them (run under ASan+UBSan by scripts/sanitize.sh --quick).
#include <catch2/catch.hpp>

#include <cstring>

#include "model/raw_tensor_file.h"

using namespace vaec::model;

namespace {

const std::string kMagic("TESTFILE", 8);

RawTensorFile sample() {
  RawTensorFile f;
  f.meta = R"({"format": "test"})";
  RawTensor a;
  a.name = "a/int16";
  a.dtype = Dtype::kInt16;
  a.dims = {2, 3};
  for (int16_t v : {1, -2, 3, -4, 5, 32767}) {
    uint8_t b[2];
    std::memcpy(b, &v, 2);
    a.data.insert(a.data.end(), b, b + 2);
  }
  RawTensor b;
  b.name = "b/bytes";
  b.dtype = Dtype::kUInt8;
  b.dims = {4};
  b.data = {9, 8, 7, 6};
  f.tensors = {a, b};
  return f;
}

// Rewrites the payload hash so that a change inside the payload gets past the hash check.
void rehash(std::vector<uint8_t>* bytes) {
  const uint64_t h = xxhash64(bytes->data() + 28, bytes->size() - 28);
  std::memcpy(bytes->data() + 12, &h, 8);
}

}  // namespace

TEST_CASE("raw tensor files round-trip, and the hash names the content", "[model_file]") {
  const auto bytes = encode_raw_tensor_file(sample(), kMagic, 3);
  uint64_t hash = 0;
  const RawTensorFile back = decode_raw_tensor_file(bytes, kMagic, 3, "t", &hash);
  CHECK(back.meta == sample().meta);
  REQUIRE(back.tensors.size() == 2);
  CHECK(back.find("a/int16")->data == sample().tensors[0].data);
  CHECK(back.find("a/int16")->dims == std::vector<int64_t>{2, 3});
  CHECK(back.find("b/bytes")->data == std::vector<uint8_t>{9, 8, 7, 6});
  CHECK(back.find("missing") == nullptr);
  CHECK(hash == xxhash64(bytes.data() + 28, bytes.size() - 28));
}

TEST_CASE("damaged, truncated, foreign and hostile raw tensor files are refused", "[model_file]") {
  const auto good = encode_raw_tensor_file(sample(), kMagic, 3);
  auto refused = [&](std::vector<uint8_t> bytes, const char* message) {
    CHECK_THROWS_WITH(decode_raw_tensor_file(bytes, kMagic, 3, "f.vaem"),
                      Catch::Contains("f.vaem") && Catch::Contains(message));
  };
  refused(std::vector<uint8_t>(good.begin(), good.begin() + 10), "not a TEST file");
  refused(std::vector<uint8_t>(good.begin(), good.end() - 1), "truncated");
  auto flipped = good;
  flipped.back() ^= 1;
  refused(flipped, "hash mismatch");
  CHECK_THROWS_WITH(decode_raw_tensor_file(good, kMagic, 4, "f.vaem"), Catch::Contains("format version 3"));
  // A dimension claiming 2^32 elements: refused from the bytes left, nothing that size allocated.
  auto huge = good;
  const size_t dims_at = 28 + 4 + sample().meta.size() + 4 + 2 + 7 + 2;  // first tensor's first dim
  const int64_t big = int64_t(1) << 32;
  std::memcpy(huge.data() + dims_at, &big, 8);
  rehash(&huge);
  refused(huge, "damaged");
  auto bad_type = good;
  bad_type[dims_at - 2] = 99;  // the dtype code
  rehash(&bad_type);
  refused(bad_type, "damaged (tensor 'a/int16')");
  RawTensorFile wrong = sample();
  wrong.tensors[0].data.pop_back();
  CHECK_THROWS_AS(encode_raw_tensor_file(wrong, kMagic, 3), std::invalid_argument);
}
