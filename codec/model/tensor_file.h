// A small, versioned container of named tensors plus JSON metadata, with an xxHash64 of the
// payload that both detects damage and identifies the content (the model's hash in the
// bitstream). Used for training checkpoints and for the shipping model file (.vaem).
//
//   magic[8] | u32 format version | u64 xxh64(payload) | u64 payload size | payload
//   payload: u32 meta size, meta (UTF-8 JSON), u32 count,
//            count x { u16 name size, name, u8 dtype, u8 ndim, i64 dims[ndim], raw data }
// All integers little-endian; tensors are stored contiguous in native (x86-64) byte order.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <ATen/ATen.h>

namespace vaec::model {

// A missing, damaged, foreign or wrong-version file.
struct ModelFileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct TensorFile {
  std::string meta;  // JSON text
  std::vector<std::pair<std::string, at::Tensor>> tensors;

  void add(const std::string& name, const at::Tensor& t) { tensors.emplace_back(name, t); }
  const at::Tensor* find(const std::string& name) const;
  // Throws ModelFileError naming the tensor when it is absent.
  const at::Tensor& get(const std::string& name) const;
};

std::vector<uint8_t> encode_tensor_file(const TensorFile& file, const std::string& magic,
                                        uint32_t version);
// Validates magic, version, size and hash; `what` names the file in error messages.
// `hash` (optional) receives the payload hash.
TensorFile decode_tensor_file(const std::vector<uint8_t>& bytes, const std::string& magic,
                              uint32_t version, const std::string& what,
                              uint64_t* hash = nullptr);

// Writes to PATH.tmp then renames, so readers never see a half-written file.
void write_file_atomic(const std::string& path, const std::vector<uint8_t>& bytes);
std::vector<uint8_t> read_whole_file(const std::string& path);  // throws ModelFileError

uint64_t xxhash64(const void* data, size_t size);

}  // namespace vaec::model
