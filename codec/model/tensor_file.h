// The container of model/raw_tensor_file.h (format, hashing, validation) with LibTorch tensors:
// what training checkpoints and the float side of the model file (.vaem) use.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "model/raw_tensor_file.h"

namespace vaec::model {

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
// The arrays of a decoded container as tensors (copied).
TensorFile to_tensor_file(RawTensorFile raw);
// Validates magic, version, size and hash; `what` names the file in error messages.
// `hash` (optional) receives the payload hash.
TensorFile decode_tensor_file(const std::vector<uint8_t>& bytes, const std::string& magic,
                              uint32_t version, const std::string& what,
                              uint64_t* hash = nullptr);

}  // namespace vaec::model
