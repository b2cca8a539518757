#include "model/tensor_file.h"

#include <cstring>

namespace vaec::model {

namespace {

// The container's element type codes and LibTorch's types.
struct DtypePair {
  Dtype code;
  at::ScalarType type;
};
constexpr DtypePair kDtypes[] = {{Dtype::kFloat, at::kFloat}, {Dtype::kBFloat16, at::kBFloat16},
                                 {Dtype::kInt32, at::kInt},   {Dtype::kInt16, at::kShort},
                                 {Dtype::kInt64, at::kLong},  {Dtype::kUInt8, at::kByte},
                                 {Dtype::kDouble, at::kDouble}, {Dtype::kHalf, at::kHalf}};

}  // namespace

const at::Tensor* TensorFile::find(const std::string& name) const {
  for (const auto& [n, t] : tensors)
    if (n == name) return &t;
  return nullptr;
}

const at::Tensor& TensorFile::get(const std::string& name) const {
  const at::Tensor* t = find(name);
  if (!t) throw ModelFileError("model data is missing tensor '" + name + "'");
  return *t;
}

std::vector<uint8_t> encode_tensor_file(const TensorFile& file, const std::string& magic, uint32_t version) {
  RawTensorFile raw;
  raw.meta = file.meta;
  for (const auto& [name, tensor] : file.tensors) {
    const at::Tensor t = tensor.detach().to(at::kCPU).contiguous();
    RawTensor r;
    r.name = name;
    bool known = false;
    for (const auto& d : kDtypes)
      if (d.type == t.scalar_type()) r.dtype = d.code, known = true;
    if (!known) throw std::invalid_argument("tensor_file: unsupported tensor type");
    r.dims = t.sizes().vec();
    const auto* p = static_cast<const uint8_t*>(t.data_ptr());
    r.data.assign(p, p + size_t(t.numel()) * t.element_size());
    raw.tensors.push_back(std::move(r));
  }
  return encode_raw_tensor_file(raw, magic, version);
}

TensorFile decode_tensor_file(const std::vector<uint8_t>& bytes, const std::string& magic, uint32_t version,
                              const std::string& what, uint64_t* hash) {
  return to_tensor_file(decode_raw_tensor_file(bytes, magic, version, what, hash));
}

TensorFile to_tensor_file(RawTensorFile raw) {
  TensorFile file;
  file.meta = std::move(raw.meta);
  for (RawTensor& r : raw.tensors) {
    at::ScalarType type = at::kFloat;
    for (const auto& d : kDtypes)
      if (d.code == r.dtype) type = d.type;
    at::Tensor t = at::empty(r.dims, at::TensorOptions().dtype(type));
    std::memcpy(t.data_ptr(), r.data.data(), r.data.size());
    file.tensors.emplace_back(std::move(r.name), std::move(t));
  }
  return file;
}

}  // namespace vaec::model
