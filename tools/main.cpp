#include "command.hpp"

int main(int argc, char** argv) { return ipd::tools::run(argc, argv); }
