#include "model/onednn_synthesis.h"

#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <ATen/Parallel.h>
#include <oneapi/dnnl/dnnl.hpp>
#include <torch/nn/modules/container/sequential.h>

#include "model/layers.h"

namespace vaec::model {

namespace {

using dnnl::memory;
using Tag = memory::format_tag;
constexpr int kBlock = 8;  // channels per block in the nChw8c layout

// A buffer of n floats without the zero-fill of std::vector.
using Buffer = std::unique_ptr<float[]>;
Buffer buffer(int64_t n) { return Buffer(new float[size_t(n)]); }

memory::desc blocked(int64_t channels, int64_t h, int64_t w) {
  return memory::desc({1, channels, h, w}, memory::data_type::f32, Tag::aBcd8b);
}

// One convolution of g_s: a sub-pixel convolution (before its pixel shuffle) or IGDN's 1x1.
struct Stage {
  bool igdn = false;
  int64_t in = 0, out = 0, kernel = 1, upscale = 1;  // out: the convolution's channels
  at::Tensor weight, bias;                           // OIHW float, contiguous
  std::vector<std::pair<memory::desc, memory>> packed;  // weights reordered per layout asked
};

// Sub-pixel output channel c * r^2 + phase becomes phase * (out / r^2) + c: after the
// convolution each phase's channels are whole 8-channel blocks.
at::Tensor phase_major(const at::Tensor& t, int64_t r) {
  const int64_t phases = r * r, channels = t.size(0) / phases;
  std::vector<int64_t> shape = t.sizes().vec();
  shape[0] = phases;
  shape.insert(shape.begin(), channels);  // [channels][phases][...]
  return t.reshape(shape).transpose(0, 1).reshape(t.sizes()).contiguous();
}

// The pixel shuffle of a phase-major blocked tensor [C][H][W] into a blocked [C/r^2][rH][rW],
// with the squares (IGDN's input) alongside. Each output sample is a copy of 8 floats.
void shuffle_blocks(const float* in, int64_t channels, int64_t h, int64_t w, int64_t r, float* out,
                    float* squares) {
  const int64_t out_blocks = channels / (r * r) / kBlock, oh = h * r, ow = w * r;
  at::parallel_for(0, out_blocks * oh, 4, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      const int64_t cb = row / oh, y = row % oh, i = y / r, di = y % r;
      for (int64_t dj = 0; dj < r; ++dj) {
        const float* src = in + (((di * r + dj) * out_blocks + cb) * h + i) * w * kBlock;
        float* o = out + (row * ow + dj) * kBlock;
        float* s = squares + (row * ow + dj) * kBlock;
        for (int64_t j = 0; j < w; ++j, src += kBlock, o += r * kBlock, s += r * kBlock)
          for (int k = 0; k < kBlock; ++k) {
            o[k] = src[k];
            s[k] = src[k] * src[k];
          }
      }
    }
  });
}

// The last pixel shuffle, into planar NCHW [C/r^2][rH][rW] (what the pixel writer reads).
// Input row by input row, so each row's blocks are read from cache for all r^2 * C/r^2 outputs.
void shuffle_to_planar(const float* in, int64_t channels, int64_t h, int64_t w, int64_t r, float* out) {
  const int64_t planes = channels / (r * r), oh = h * r, ow = w * r;
  at::parallel_for(0, h, 4, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i)
      for (int64_t c = 0; c < planes; ++c)
        for (int64_t di = 0; di < r; ++di) {
          float* o = out + (c * oh + i * r + di) * ow;
          for (int64_t dj = 0; dj < r; ++dj) {
            const int64_t channel = (di * r + dj) * planes + c;
            const float* src = in + ((channel / kBlock) * h + i) * w * kBlock + channel % kBlock;
            for (int64_t j = 0; j < w; ++j) o[j * r + dj] = src[j * kBlock];
          }
        }
  });
}

// y_hat [1][C][H][W] with any strides into the blocked layout.
void to_blocked(const at::Tensor& y, float* out) {
  const at::Tensor t = y.to(at::kFloat);
  const int64_t c = t.size(1), h = t.size(2), w = t.size(3);
  const int64_t sc = t.stride(1), sy = t.stride(2), sx = t.stride(3);
  const float* in = t.data_ptr<float>();
  at::parallel_for(0, c / kBlock * h, 8, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      const int64_t cb = row / h, i = row % h;
      float* o = out + row * w * kBlock;
      for (int64_t j = 0; j < w; ++j)
        for (int k = 0; k < kBlock; ++k) o[j * kBlock + k] = in[(cb * kBlock + k) * sc + i * sy + j * sx];
    }
  });
}

}  // namespace

struct OnednnSynthesis::Impl {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  std::vector<Stage> stages;
  int64_t in_channels() const { return stages.front().in; }

  // The primitives for one latent size (h, w), built on first use.
  struct Plan {
    std::vector<dnnl::convolution_forward> convs;
    std::vector<memory> weights;  // packed for each conv's layout
  };
  std::map<std::pair<int64_t, int64_t>, Plan> plans;

  const memory& packed_weights(Stage& s, const memory::desc& want) {
    for (const auto& [desc, mem] : s.packed)
      if (desc == want) return mem;
    memory plain(memory::desc({s.out, s.in, s.kernel, s.kernel}, memory::data_type::f32, Tag::oihw), engine,
                 s.weight.data_ptr<float>());
    memory packed(want, engine);
    dnnl::reorder(plain, packed).execute(stream, plain, packed);
    stream.wait();
    s.packed.emplace_back(want, packed);
    return s.packed.back().second;
  }

  Plan& plan(int64_t h, int64_t w) {
    const auto key = std::make_pair(h, w);
    if (auto it = plans.find(key); it != plans.end()) return it->second;
    if (plans.size() >= 32) plans.clear();  // region sizes vary; keep the cache bounded
    Plan p;
    for (Stage& s : stages) {
      const int64_t pad = s.kernel / 2;
      const memory::desc src = blocked(s.in, h, w), dst = blocked(s.out, h, w);
      const memory::desc weights({s.out, s.in, s.kernel, s.kernel}, memory::data_type::f32, Tag::any);
      const memory::desc bias({s.out}, memory::data_type::f32, Tag::a);
      dnnl::primitive_attr attr;
      if (s.igdn) {  // x * sqrt(beta + gamma * x^2): x^2 is the source, x the second operand
        dnnl::post_ops ops;
        ops.append_eltwise(1.f, dnnl::algorithm::eltwise_sqrt, 0.f, 0.f);
        ops.append_binary(dnnl::algorithm::binary_mul, dst);
        attr.set_post_ops(ops);
      }
      const dnnl::convolution_forward::desc desc(dnnl::prop_kind::forward_inference,
                                                 dnnl::algorithm::convolution_direct, src, weights, bias, dst,
                                                 {1, 1}, {pad, pad}, {pad, pad});
      const dnnl::convolution_forward::primitive_desc pd(desc, attr, engine);
      // Reference kernels would be ~50x slower, and a region must run what the frame runs.
      if (std::string(pd.impl_info_str()).find("jit") == std::string::npos)
        throw std::runtime_error(std::string("oneDNN synthesis: no JIT kernel (") + pd.impl_info_str() + ")");
      p.convs.emplace_back(pd);
      p.weights.push_back(packed_weights(s, pd.weights_desc()));
      if (s.upscale > 1) {
        h *= s.upscale;
        w *= s.upscale;
      }
    }
    return plans.emplace(key, std::move(p)).first->second;
  }

  void convolve(Plan& p, size_t i, int64_t h, int64_t w, float* src, float* dst, float* product) {
    const Stage& s = stages[i];
    memory src_m(blocked(s.in, h, w), engine, src), dst_m(blocked(s.out, h, w), engine, dst);
    memory bias_m({{s.out}, memory::data_type::f32, Tag::a}, engine, s.bias.data_ptr<float>());
    std::unordered_map<int, memory> args{
        {DNNL_ARG_SRC, src_m}, {DNNL_ARG_WEIGHTS, p.weights[i]}, {DNNL_ARG_BIAS, bias_m}, {DNNL_ARG_DST, dst_m}};
    if (product)
      args[DNNL_ARG_ATTR_MULTIPLE_POST_OP(1) | DNNL_ARG_SRC_1] = memory(blocked(s.out, h, w), engine, product);
    p.convs[i].execute(stream, args);
    stream.wait();
  }
};

OnednnSynthesis::OnednnSynthesis(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
OnednnSynthesis::~OnednnSynthesis() = default;

std::unique_ptr<OnednnSynthesis> OnednnSynthesis::create(Vae& net) {
  torch::NoGradGuard no_grad;
  auto impl = std::make_unique<Impl>();
  const auto& layers = net->g_s->children();
  for (size_t i = 0; i < layers.size(); ++i) {
    Stage s;
    if (auto* sub = layers[i]->as<SubPixelConvImpl>()) {
      const auto& w = sub->conv->weight;
      if (i % 2 != 0 || !sub->conv->bias.defined() || (*sub->conv->options.stride())[0] != 1 ||
          w.size(2) != w.size(3) || w.size(2) % 2 == 0)
        return nullptr;
      s.upscale = sub->upscale();
      s.in = w.size(1);
      s.out = w.size(0);
      s.kernel = w.size(2);
      s.weight = phase_major(w.detach().to(at::kFloat), s.upscale);
      s.bias = phase_major(sub->conv->bias.detach().to(at::kFloat), s.upscale);
    } else if (auto* gdn = layers[i]->as<GdnImpl>()) {
      if (i % 2 != 1 || !gdn->inverse()) return nullptr;
      const auto [beta, gamma] = gdn->beta_gamma();
      s.igdn = true;
      s.in = s.out = beta.size(0);
      s.weight = gamma.detach().to(at::kFloat).reshape({s.out, s.in, 1, 1}).contiguous();
      s.bias = beta.detach().to(at::kFloat).contiguous();
    } else {
      return nullptr;
    }
    if (s.in % kBlock != 0 || s.out % kBlock != 0) return nullptr;
    impl->stages.push_back(std::move(s));
  }
  const auto& st = impl->stages;
  if (st.size() < 1 || st.size() % 2 == 0 || st.back().out != 6 * st.back().upscale * st.back().upscale)
    return nullptr;
  for (size_t i = 0; i + 1 < st.size(); i += 2)  // each shuffle's output is whole blocks
    if (st[i].out % (st[i].upscale * st[i].upscale * kBlock) != 0 || st[i + 1].in * st[i].upscale * st[i].upscale != st[i].out)
      return nullptr;
  try {
    impl->plan(4, 4);  // fails here, not mid-stream, when this CPU has no JIT kernels
  } catch (const dnnl::error&) {
    return nullptr;
  } catch (const std::runtime_error&) {
    return nullptr;
  }
  return std::unique_ptr<OnednnSynthesis>(new OnednnSynthesis(std::move(impl)));
}

at::Tensor OnednnSynthesis::run(const at::Tensor& y_hat) {
  Impl& m = *impl_;
  if (y_hat.dim() != 4 || y_hat.size(0) != 1 || y_hat.size(1) != m.in_channels())
    throw std::invalid_argument("oneDNN synthesis: y_hat is not [1, M, h, w]");
  int64_t h = y_hat.size(2), w = y_hat.size(3);
  Impl::Plan& plan = m.plan(h, w);
  Buffer x = buffer(m.in_channels() * h * w);
  to_blocked(y_hat, x.get());
  at::Tensor out;
  for (size_t i = 0; i < m.stages.size(); i += 2) {
    const Stage& s = m.stages[i];
    Buffer t = buffer(s.out * h * w);
    m.convolve(plan, i, h, w, x.get(), t.get(), nullptr);
    const int64_t r = s.upscale;
    if (i + 1 == m.stages.size()) {
      out = at::empty({1, s.out / (r * r), h * r, w * r}, at::kFloat);
      shuffle_to_planar(t.get(), s.out, h, w, r, out.data_ptr<float>());
      break;
    }
    const int64_t n = s.out * h * w;  // elements after the shuffle too
    Buffer shuffled = buffer(n), squares = buffer(n);
    shuffle_blocks(t.get(), s.out, h, w, r, shuffled.get(), squares.get());
    t.reset();
    h *= r;
    w *= r;
    x = buffer(n);
    m.convolve(plan, i + 1, h, w, squares.get(), x.get(), shuffled.get());
  }
  return out;
}

}  // namespace vaec::model
