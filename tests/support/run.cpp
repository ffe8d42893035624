#include "run.hpp"

#include "tmpdir.hpp"

#include <fcntl.h>
#include <grp.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace ipd::test {

namespace {

// `storage` as the NULL-terminated array execv takes; it points into `storage`.
std::vector<char*> c_argv(std::vector<std::string>& storage) {
  std::vector<char*> argv;
  for (auto& arg : storage) {
    argv.push_back(arg.data());
  }
  argv.push_back(nullptr);
  return argv;
}

} // namespace

RunResult run_tool(const std::vector<std::string>& args, const std::string& cwd, RunAs as) {
  std::vector<std::string> argv{IPD_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(argv, cwd, as);
}

RunResult run_program(const std::vector<std::string>& program, const std::string& cwd, RunAs as) {
  TmpDir capture;
  const std::string out_path = capture / "out";
  const std::string err_path = capture / "err";
  std::vector<std::string> argv_storage = program;
  const std::vector<char*> argv = c_argv(argv_storage);

  const pid_t pid = ::fork();
  if (pid < 0) {
    throw std::runtime_error("fork failed");
  }
  if (pid == 0) {
    const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int null = ::open("/dev/null", O_RDONLY);
    if (out < 0 || err < 0 || null < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0 || ::dup2(null, 0) < 0) {
      ::_exit(126);
    }
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) {
      ::_exit(126);
    }
    if (as.uid != 0 && (::setgroups(0, nullptr) != 0 || ::setgid(as.uid) != 0 || ::setuid(as.uid) != 0)) {
      ::_exit(126);
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  RunResult result;
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = read_file(out_path);
  result.err = read_file(err_path);
  return result;
}

int start_program(const std::vector<std::string>& argv, const std::string& cwd) {
  std::vector<std::string> storage = argv;
  const std::vector<char*> c_args = c_argv(storage);
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int null = ::open("/dev/null", O_RDWR);
    if (null < 0 || ::dup2(null, 0) < 0 || ::dup2(null, 1) < 0 || ::dup2(null, 2) < 0) {
      ::_exit(126);
    }
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) {
      ::_exit(126);
    }
    ::execv(c_args[0], c_args.data());
    ::_exit(127);
  }
  return pid;
}

} // namespace ipd::test
