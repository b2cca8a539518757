// The container of model files and training checkpoints without LibTorch: named arrays of
// plain bytes with their element type and shape, JSON metadata, an xxHash64 of the payload
// that both detects damage and identifies the content.
//
//   magic[8] | u32 format version | u64 xxh64(payload) | u64 payload size | payload
//   payload: u32 meta size, meta (UTF-8 JSON), u32 count,
//            count x { u16 name size, name, u8 dtype, u8 ndim, i64 dims[ndim], raw data }
// All integers little-endian; arrays are stored contiguous in native (x86-64) byte order.
// model/tensor_file.h adapts it to LibTorch tensors; a decoder without LibTorch reads it as is.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace vaec::model {

// A missing, damaged, foreign or wrong-version file.
struct ModelFileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Stable on-disk element type codes.
enum class Dtype : uint8_t { kFloat = 1, kBFloat16 = 2, kInt32 = 3, kInt16 = 4, kInt64 = 5, kUInt8 = 6, kDouble = 7, kHalf = 8 };
size_t dtype_size(Dtype t);  // 0 for a code that is not one of the above

struct RawTensor {
  std::string name;
  Dtype dtype = Dtype::kFloat;
  std::vector<int64_t> dims;
  std::vector<uint8_t> data;  // numel * dtype_size(dtype) bytes
  int64_t numel() const;
};

struct RawTensorFile {
  std::string meta;  // JSON text
  std::vector<RawTensor> tensors;
  const RawTensor* find(const std::string& name) const;
};

std::vector<uint8_t> encode_raw_tensor_file(const RawTensorFile& file, const std::string& magic, uint32_t version);
// Validates magic, version, size, hash and every tensor's bounds before allocating; `what`
// names the file in error messages; `hash` (optional) receives the payload hash.
RawTensorFile decode_raw_tensor_file(const std::vector<uint8_t>& bytes, const std::string& magic, uint32_t version,
                                     const std::string& what, uint64_t* hash = nullptr);

// Writes to PATH.tmp then renames, so readers never see a half-written file.
void write_file_atomic(const std::string& path, const std::vector<uint8_t>& bytes);
std::vector<uint8_t> read_whole_file(const std::string& path);  // throws ModelFileError

uint64_t xxhash64(const void* data, size_t size);

}  // namespace vaec::model
