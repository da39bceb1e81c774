#include "daemon/cli/cli.hpp"

#include <yaml-cpp/yaml.h>
#include <boost/json.hpp>
#include <boost/version.hpp>

#include <iostream>

namespace hrmaild::cli {

Command add_version_command(CLI::App& root, Globals& globals) {
    Command cmd;
    cmd.app = root.add_subcommand("version", "Print the version and exit");
    add_json_option(*cmd.app, globals);
    add_timeout_option(*cmd.app, globals);
    cmd.run = [&globals]() {
        if (globals.json) {
            boost::json::object o{{"version", HRMAILD_VERSION}, {"boost", BOOST_LIB_VERSION}};
            std::cout << boost::json::serialize(o) << '\n';
        } else {
            std::cout << "hrmaild " << HRMAILD_VERSION << '\n';
        }
        return static_cast<int>(exit_ok);
    };
    return cmd;
}

}  // namespace hrmaild::cli
