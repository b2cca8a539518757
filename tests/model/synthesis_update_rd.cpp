// Not a test: what a per-picture least-squares update of g_s's last layer (conv3, the Wiener
// filter of VVC's adaptive loop filter in spirit) would buy before its bits: issue 22's
// `veryslow` synthesis adaptation, measured before it is built (docs/presets.md).
//   synthesis_update_rd MODEL QUALITY RIDGE VIDEO FRAME_A FRAME_B [centre]
// For frames A and B of VIDEO coded as I-frames at QUALITY: the float g_s's PSNR of the
// picture (normalised samples, the 6 half-resolution channels), with conv3 refitted on the
// picture itself (the oracle), and A's fit applied to B (what one update per GOP or video
// keeps). RIDGE pulls the fit towards the trained weights (per sample). `centre`: only the
// biases and the centre taps change (24 x (S + 1) parameters instead of 24 x (9 S + 1)).
#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "coding/enc_intra.h"
#include "io/video_reader.h"
#include "model/intra.h"
#include "model/layers.h"
#include "model/layout.h"

using namespace vaec;

namespace {

struct Fit {
  torch::Tensor features;  // unfolded conv3 inputs, [S*9+1][P] (a row of ones for the bias)
  torch::Tensor target;    // the picture as conv3's outputs before the shuffle, [24][P]
  double bpp = 0;
};

double psnr(const torch::Tensor& w, const Fit& f) {
  const double mse = (w.mm(f.features) - f.target).pow(2).mean().item<double>();
  return 10 * std::log10(1.0 / mse);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 7) {
    std::fprintf(stderr, "usage: %s MODEL QUALITY RIDGE VIDEO FRAME_A FRAME_B [centre]\n", argv[0]);
    return 2;
  }
  at::set_num_threads(2);
  torch::NoGradGuard no_grad;
  model::IntraModel m = model::IntraModel::load(argv[1]);
  const int quality = std::stoi(argv[2]);
  const double ridge = std::stod(argv[3]);
  const int wanted[2] = {std::stoi(argv[5]), std::stoi(argv[6])};
  Frame frames[2];
  auto reader = io::VideoReader::open(argv[4]);
  Frame f;
  for (int i = 0, got = 0; got < 2 && reader->read(f); ++i)
    for (int k = 0; k < 2; ++k)
      if (i == wanted[k]) frames[k] = f, ++got;

  auto& gs = m.net()->g_s;
  auto conv3 = gs->ptr<model::SubPixelConvImpl>(4);
  const torch::Tensor w0 = torch::cat({conv3->conv->weight.reshape({conv3->conv->weight.size(0), -1}),
                                       conv3->conv->bias.unsqueeze(1)}, 1);
  Fit fits[2];
  for (int k = 0; k < 2; ++k) {
    const model::AnalysedFrame an = model::analyse_transform(m, frames[k], quality);
    coding::Reference ref;
    const auto payload = coding::encode_intra_payload(m, an, &ref);
    fits[k].bpp = 8.0 * double(payload.size()) / (double(frames[k].width) * frames[k].height);
    torch::Tensor h = model::gained_latents(m, ref.y_hat_q10, an.shape, quality);
    auto it = gs->begin();
    for (int layer = 0; layer < 4; ++layer, ++it) h = it->forward(h);
    torch::Tensor cols = torch::nn::functional::unfold(h, torch::nn::functional::UnfoldFuncOptions({3, 3}).padding(1))[0];
    fits[k].features = torch::cat({cols, torch::ones({1, cols.size(1)})}, 0);
    const torch::Tensor picture = model::pad_to_multiple(model::frame_to_tensor(frames[k]), 32);
    fits[k].target = torch::pixel_unshuffle(picture, 2)[0].reshape({w0.size(0), -1});
  }
  // The columns that change: all, or the centre taps (unfold's row c * 9 + 4) and the bias.
  const bool centre_only = argc > 7 && std::string(argv[7]) == "centre";
  std::vector<int64_t> free_columns;
  for (int64_t c = 0; c < w0.size(1); ++c)
    if (!centre_only || c == w0.size(1) - 1 || c % 9 == 4) free_columns.push_back(c);
  const torch::Tensor free_index = torch::tensor(free_columns);
  const torch::Tensor w_free = w0.index_select(1, free_index);
  const int64_t n = w_free.size(1);
  torch::Tensor fitted[2];
  for (int k = 0; k < 2; ++k) {
    const Fit& f = fits[k];
    // The fixed columns' part of the output stays; the free ones fit what is left.
    const torch::Tensor x = f.features.index_select(0, free_index);
    const torch::Tensor rest = f.target - (w0.mm(f.features) - w_free.mm(x));
    const double lambda = ridge * double(x.size(1));
    const torch::Tensor gram = x.mm(x.t()) + lambda * torch::eye(n);
    const torch::Tensor rhs = rest.mm(x.t()) + lambda * w_free;
    fitted[k] = w0.clone();
    fitted[k].index_copy_(1, free_index, torch::linalg::solve(gram, rhs.t(), true).t());
  }
  for (int k = 0; k < 2; ++k)
    std::printf("%s frame %d q%d: %.4f bpp  trained %.3f dB  own fit %+.3f dB  other frame's fit %+.3f dB  (%lld parameters)\n",
                argv[4], wanted[k], quality, fits[k].bpp, psnr(w0, fits[k]), psnr(fitted[k], fits[k]) - psnr(w0, fits[k]),
                psnr(fitted[1 - k], fits[k]) - psnr(w0, fits[k]), (long long)(w0.size(0) * n));
  return 0;
}
