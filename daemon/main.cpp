// hrmaild: thin entry point; everything lives in hrmaild_lib.
#include "daemon/cli/cli.hpp"

int main(int argc, char** argv) {
    return hrmaild::cli::main(argc, argv);
}
