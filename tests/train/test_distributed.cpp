// Multi-process training (tools/train/distributed.*): two `vaec train` ranks on localhost take
// the steps one process takes on the union of their slices, their checkpoint resumes in one
// process, and a rank whose peers are missing stops with a clear error instead of hanging.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <string>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "model/raw_tensor_file.h"
#include "model/tensor_file.h"
#include "support/test_support.h"
#include "train/distributed.h"

// LibTorch pulls in glog, whose CHECK would silently replace Catch's: include Catch last.
#undef CHECK
#include <catch2/catch.hpp>

using namespace vaec;

namespace {

// Tiny training media: four clips of two textured frames, crops of 64 fit in many places.
std::string make_media(const test::TempDir& tmp) {
  const std::string dir = tmp.path("media");
  std::filesystem::create_directories(dir);
  for (int i = 0; i < 4; ++i) test::write_y4m(fmt::format("{}/clip{}.y4m", dir, i), 160 + 32 * i, 128, 2, 10 * i);
  return dir;
}

// A TCP port nobody listens on right now (the kernel's choice for port 0).
int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  close(fd);
  return ntohs(a.sin_port);
}

std::string cli() { return std::string("env OMP_WAIT_POLICY=PASSIVE ") + VAEC_CLI; }

// A few steps on the tiny media; every run shares the seed, patch and schedule.
std::string train_args(const std::string& media, const std::string& out, int batch = 4, int steps = 3) {
  return fmt::format("train --data {} --out {} --patch 64 --batch {} --max-steps {} --val-images 0 "
                     "--warmup 1 --lr 1e-3 --threads 1 --seed 5",
                     media, out, batch, steps);
}

// Two processes at once; returns their exit codes and outputs.
struct Pair {
  test::CommandResult r0, r1;
};
Pair run_two(const test::TempDir& tmp, const std::string& cmd0, const std::string& cmd1) {
  const std::string l0 = tmp.path("rank0.log"), l1 = tmp.path("rank1.log");
  const auto both = test::run(fmt::format("( timeout 120 {} > {} 2>&1; echo $? > {}.rc ) & "
                                          "( timeout 120 {} > {} 2>&1; echo $? > {}.rc ) & wait",
                                          cmd0, l0, l0, cmd1, l1, l1));
  auto slurp = [](const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  };
  Pair p;
  p.r0 = {std::stoi(slurp(l0 + ".rc")), slurp(l0)};
  p.r1 = {std::stoi(slurp(l1 + ".rc")), slurp(l1)};
  return p;
}

struct Checkpoint {
  int64_t step = 0;
  std::map<std::string, at::Tensor> params;
};
Checkpoint read_checkpoint(const std::string& path) {
  const model::TensorFile file =
      model::decode_tensor_file(model::read_whole_file(path), std::string("VAECKPT\0", 8), 1, path);
  Checkpoint c;
  c.step = nlohmann::json::parse(file.meta).at("step").get<int64_t>();
  for (const auto& [name, tensor] : file.tensors)
    if (name.rfind("param/", 0) == 0) c.params[name] = tensor.to(at::kFloat);
  return c;
}

// The largest elementwise difference between two checkpoints' parameters.
double max_difference(const Checkpoint& a, const Checkpoint& b) {
  REQUIRE(a.params.size() == b.params.size());
  double worst = 0;
  std::string where;
  for (const auto& [name, t] : a.params) {
    REQUIRE(b.params.count(name));
    const double d = (t - b.params.at(name)).abs().max().item<double>();
    if (d > worst) worst = d, where = name;
  }
  UNSCOPED_INFO("largest parameter difference " << worst << " in " << where);
  return worst;
}

}  // namespace

TEST_CASE("two ranks take the steps of one process on both their slices, and resume in one process",
          "[train][distributed]") {
  test::TempDir tmp;
  const std::string media = make_media(tmp);
  const std::string one = tmp.path("one"), two = tmp.path("two"), half = tmp.path("half");
  // A fresh network's initial weights are random per process: every run starts from this one
  // (rank 0 reads it and broadcasts it).
  const auto init = test::run(cli() + " " + train_args(media, tmp.path("init"), 2, 1));
  REQUIRE(init.exit_code == 0);
  const std::string start = " --init-from " + tmp.path("init/checkpoint.vckp");

  // One process, the global batch of 4 in two slices of 2 (what two ranks compute).
  const auto single = test::run(cli() + " " + train_args(media, one) + start + " --accumulate 2");
  INFO(single.output);
  REQUIRE(single.exit_code == 0);

  const std::string url = fmt::format("tcp://127.0.0.1:{}", free_port());
  const std::string two_args = train_args(media, two) + start + " --dist-url " + url + " --world-size 2";
  const auto ranks = run_two(tmp, cli() + " " + two_args + " --rank 0", cli() + " " + two_args + " --rank 1");
  INFO("rank 0:\n" << ranks.r0.output << "\nrank 1:\n" << ranks.r1.output);
  REQUIRE(ranks.r0.exit_code == 0);
  REQUIRE(ranks.r1.exit_code == 0);
  CHECK(ranks.r1.output.empty());  // only rank 0 talks
  CHECK(ranks.r0.output.find("rank 0 of 2") != std::string::npos);

  const Checkpoint a = read_checkpoint(one + "/checkpoint.vckp");
  const Checkpoint b = read_checkpoint(two + "/checkpoint.vckp");
  CHECK(a.step == 3);
  CHECK(b.step == 3);
  const double diff = max_difference(a, b);
  INFO("largest parameter difference, 1 process vs 2 ranks: " << diff);
  // Adam moves each parameter by about lr = 1e-3 per step: a rank that stepped on its own
  // slice's gradient, or drew other crops, would be off by that much somewhere.
  CHECK(diff < 2e-5);

  // The same global batch without slices draws other noise: proof that the comparison sees
  // the difference between two gradients.
  const auto plain = test::run(cli() + " " + train_args(media, half, 2) + start);
  REQUIRE(plain.exit_code == 0);
  CHECK(max_difference(a, read_checkpoint(half + "/checkpoint.vckp")) > 1e-4);

  // The 2-rank checkpoint resumes in a single process and keeps matching the 1-process run.
  for (const std::string& dir : {one, two}) {
    const auto resumed = test::run(cli() + " " + train_args(media, dir, 4, 1) + " --accumulate 2 --resume");
    INFO(resumed.output);
    REQUIRE(resumed.exit_code == 0);
  }
  const Checkpoint a4 = read_checkpoint(one + "/checkpoint.vckp");
  const Checkpoint b4 = read_checkpoint(two + "/checkpoint.vckp");
  CHECK(b4.step == 4);
  CHECK(max_difference(a4, b4) < 2e-5);

  // And two ranks resume a checkpoint (rank 0 reads it; rank 1 has no --out of its own).
  const auto again = test::run(cli() + " " + train_args(media, one, 4, 1) + " --accumulate 2 --resume");
  REQUIRE(again.exit_code == 0);
  const std::string url2 = fmt::format("tcp://127.0.0.1:{}", free_port());
  const std::string resume_args = train_args(media, two, 4, 1) + " --resume --dist-url " + url2 + " --world-size 2";
  const auto resumed = run_two(tmp, cli() + " " + resume_args + " --rank 0",
                               cli() + " " + train_args(media, tmp.path("elsewhere"), 4, 1) +
                                   " --resume --dist-url " + url2 + " --world-size 2 --rank 1");
  INFO("rank 0:\n" << resumed.r0.output << "\nrank 1:\n" << resumed.r1.output);
  REQUIRE(resumed.r0.exit_code == 0);
  REQUIRE(resumed.r1.exit_code == 0);
  CHECK_FALSE(test::file_exists(tmp.path("elsewhere")));
  const Checkpoint a5 = read_checkpoint(one + "/checkpoint.vckp");
  const Checkpoint b5 = read_checkpoint(two + "/checkpoint.vckp");
  CHECK(b5.step == 5);
  CHECK(max_difference(a5, b5) < 2e-5);
}

TEST_CASE("a rank whose peer never comes stops with a clear error within the timeout", "[train][distributed]") {
  test::TempDir tmp;
  const std::string media = make_media(tmp);
  const std::string url = fmt::format("tcp://127.0.0.1:{}", free_port());
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = test::run("timeout 60 " + cli() + " " + train_args(media, tmp.path("out")) + " --dist-url " + url +
                           " --world-size 2 --rank 0 --dist-timeout 3");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  INFO(r.output);
  CHECK(r.exit_code != 0);
  CHECK(r.exit_code != 124);  // not killed by `timeout`: it stopped by itself
  CHECK(seconds < 30);
  CHECK(r.output.find("rank 0 of 2: rank 1 did not join the rendezvous") != std::string::npos);
  CHECK(r.output.find("--dist-timeout") != std::string::npos);
  CHECK(r.output.find("frame #") == std::string::npos);  // no C++ backtrace
}

TEST_CASE("a rank that cannot reach the master stops with a clear error", "[train][distributed]") {
  test::TempDir tmp;
  const std::string media = make_media(tmp);
  const std::string url = fmt::format("tcp://127.0.0.1:{}", free_port());
  const auto r = test::run("timeout 60 " + cli() + " " + train_args(media, tmp.path("out")) + " --dist-url " + url +
                           " --world-size 2 --rank 1 --dist-timeout 3");
  INFO(r.output);
  CHECK(r.exit_code != 0);
  CHECK(r.exit_code != 124);
  CHECK(r.output.find("rank 1 of 2: cannot reach the master") != std::string::npos);
  CHECK(r.output.find("frame #") == std::string::npos);
}

TEST_CASE("a rank that dies stops the others with a clear error", "[train][distributed]") {
  test::TempDir tmp;
  const std::string media = make_media(tmp);
  const std::string url = fmt::format("tcp://127.0.0.1:{}", free_port());
  const std::string args = train_args(media, tmp.path("out"), 4, 100000) + " --dist-timeout 20 --dist-url " + url +
                           " --world-size 2";
  // Rank 1 is killed a few seconds into training; rank 0 must notice and exit, not hang.
  const auto t0 = std::chrono::steady_clock::now();
  const auto ranks = run_two(tmp, cli() + " " + args + " --rank 0",
                             "timeout -s KILL 8 " + cli() + " " + args + " --rank 1");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  INFO("rank 0:\n" << ranks.r0.output);
  CHECK(ranks.r1.exit_code == 137);
  CHECK(ranks.r0.exit_code != 0);
  CHECK(ranks.r0.exit_code != 124);
  CHECK(seconds < 50);
  CHECK(ranks.r0.output.find("rank 0 of 2: an all-reduce failed") != std::string::npos);
  CHECK(ranks.r0.output.find("--resume") != std::string::npos);
}

TEST_CASE("bad rendezvous arguments are refused before anything starts", "[train][distributed]") {
  test::TempDir tmp;
  const std::string media = make_media(tmp);
  const std::string base = cli() + " " + train_args(media, tmp.path("out"), 3);
  const auto rank = test::run(base + " --dist-url tcp://127.0.0.1:29999 --world-size 2 --rank 2");
  CHECK(rank.exit_code != 0);
  CHECK(rank.output.find("rank 2 is out of range for world size 2") != std::string::npos);
  const auto url = test::run(base + " --dist-url 127.0.0.1:29999 --world-size 2 --rank 0");
  CHECK(url.exit_code != 0);
  CHECK(url.output.find("expected tcp://HOST:PORT") != std::string::npos);
  const auto batch = test::run(base + " --dist-url tcp://127.0.0.1:29999 --world-size 2 --rank 0");
  CHECK(batch.exit_code != 0);
  CHECK(batch.output.find("must be divisible") != std::string::npos);
  CHECK_FALSE(test::file_exists(tmp.path("out")));
}

TEST_CASE("rendezvous addresses come from --dist-url or from Slurm's environment", "[train][distributed]") {
  using train::DistArgs;
  CHECK(train::parse_dist_url("tcp://node7:1234") == std::make_pair(std::string("node7"), 1234));
  CHECK(train::parse_dist_url("tcp://[fe80::1]:29500/") == std::make_pair(std::string("fe80::1"), 29500));
  for (const char* bad : {"node7:1234", "tcp://node7", "tcp://:1234", "tcp://node7:0", "tcp://node7:99999",
                          "tcp://node7:12a", "tcp://fe80::1:29500"})
    CHECK_THROWS_AS(train::parse_dist_url(bad), std::invalid_argument);

  CHECK(train::first_slurm_host("gpu3") == "gpu3");
  CHECK(train::first_slurm_host("node[07-09,12],gpu3") == "node07");
  CHECK(train::first_slurm_host("a,b") == "a");
  CHECK(train::first_slurm_host("rack1-n[3,5]") == "rack1-n3");
  CHECK_THROWS_AS(train::first_slurm_host("node[07"), std::invalid_argument);
  CHECK_THROWS_AS(train::first_slurm_host(""), std::invalid_argument);

  std::map<std::string, std::string> env;
  auto lookup = [&](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  // Nothing given: one process, no c10d.
  CHECK(train::resolve_dist_options(DistArgs{}, lookup).world_size == 1);
  // srun with 4 tasks on node[10-11].
  env = {{"SLURM_PROCID", "3"}, {"SLURM_NTASKS", "4"}, {"SLURM_JOB_NODELIST", "node[10-11]"}};
  DistArgs with_port;
  with_port.url = "tcp://ignored:4321";
  auto o = train::resolve_dist_options(with_port, lookup);
  CHECK(o.world_size == 4);
  CHECK(o.rank == 3);
  CHECK(o.master_host == "node10");
  CHECK(o.port == 4321);
  CHECK(o.origin == "Slurm");
  env["MASTER_PORT"] = "5555";
  env["MASTER_ADDR"] = "10.0.0.1";
  o = train::resolve_dist_options(DistArgs{}, lookup);
  CHECK(o.master_host == "10.0.0.1");
  CHECK(o.port == 5555);
  // A single-task step stays a single process; explicit arguments win over Slurm.
  env = {{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "1"}, {"SLURM_JOB_NODELIST", "n1"}};
  CHECK(train::resolve_dist_options(DistArgs{}, lookup).world_size == 1);
  DistArgs given;
  given.url = "tcp://127.0.0.1:7000";
  given.world_size = 2;
  given.rank = 1;
  o = train::resolve_dist_options(given, lookup);
  CHECK(o.world_size == 2);
  CHECK(o.rank == 1);
  CHECK(o.port == 7000);
  given.rank = -1;
  CHECK_THROWS_AS(train::resolve_dist_options(given, lookup), std::invalid_argument);  // no --rank
  given.rank = 0;
  given.url.clear();
  CHECK_THROWS_AS(train::resolve_dist_options(given, lookup), std::invalid_argument);  // no --dist-url
}
