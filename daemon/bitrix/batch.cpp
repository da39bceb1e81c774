#include "daemon/bitrix/batch.hpp"

#include "daemon/bitrix/php_query.hpp"

namespace hrmaild::bitrix {

std::size_t Batch::add(std::string method, boost::json::object params) {
    commands_.push_back({std::move(method), std::move(params)});
    return commands_.size() - 1;
}

std::string Batch::name(std::size_t index) {
    return "c" + std::to_string(index);
}

boost::json::object Batch::body(std::size_t first, std::size_t last) const {
    boost::json::object cmd;
    for (std::size_t i = first; i < last && i < commands_.size(); ++i)
        cmd[name(i)] = batch_command(commands_[i].method, commands_[i].params);
    boost::json::object out;
    out["halt"] = halt_ ? 1 : 0;
    out["cmd"] = std::move(cmd);
    return out;
}

}  // namespace hrmaild::bitrix
