#include "daemon/workflow/effective.hpp"

#include "daemon/core/messages.hpp"
#include "daemon/workflow/extract.hpp"
#include "daemon/workflow/text.hpp"

#include <fmt/format.h>

#include <charconv>

namespace hrmaild::workflow {

using messages::Msg;
using namespace fmt::literals;

std::optional<NotBefore> effective_instant(const core::TimeZone& zone, std::string_view date,
                                           int days_before, std::string_view time,
                                           std::string& error) {
    auto iso = parse_date(date);
    if (!iso) {
        error = messages::render(Msg::plan_bad_effective_date, "value"_a = std::string(date));
        return std::nullopt;
    }
    auto minutes = core::parse_hh_mm(time.empty() ? std::string_view("00:00") : time);
    if (!minutes) {
        error = messages::render(Msg::plan_bad_effective_time, "value"_a = std::string(time));
        return std::nullopt;
    }
    int y = 0, m = 0, d = 0;
    std::from_chars(iso->data(), iso->data() + 4, y);
    std::from_chars(iso->data() + 5, iso->data() + 7, m);
    std::from_chars(iso->data() + 8, iso->data() + 10, d);
    core::LocalDateTime local;
    core::civil_from_days(core::days_from_civil(y, m, d) - days_before, local.year, local.month,
                          local.day);
    local.hour = *minutes / 60;
    local.minute = *minutes % 60;
    const auto t = zone.to_utc(local);
    // What the instant reads as there (a time skipped by a DST change reads as the hour after).
    return NotBefore{t * 1000,
                     fmt::format("{} ({})", core::format_local(zone.to_local(t)), zone.name())};
}

void apply_not_before(const WorkflowSet& set, const Workflow& wf, const Scope& scope,
                      const RenderEnv& env, domain::Plan& plan, std::vector<std::string>& errors) {
    if (!wf.not_before)
        return;
    const auto& spec = *wf.not_before;
    auto text = [&](const Template& t) -> std::optional<std::string> {
        std::string err;
        auto r = t.render_text(scope, env, err);
        if (!r)
            errors.push_back(messages::render(Msg::plan_render_failed, "error"_a = err));
        return r ? std::optional<std::string>(squeeze(*r)) : std::nullopt;
    };
    auto date = text(spec.date);
    if (!date || date->empty())
        return;  // no date: as soon as approved
    int days = 0;
    if (spec.days_before) {
        auto v = text(*spec.days_before);
        if (!v)
            return;
        auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), days);
        if (ec != std::errc() || p != v->data() + v->size() || days < 0 || days > 3650) {
            errors.push_back(
                messages::render(Msg::plan_bad_days, "step"_a = "not_before", "value"_a = *v));
            return;
        }
    }
    std::string time;
    if (spec.time) {
        auto v = text(*spec.time);
        if (!v)
            return;
        time = *v;
    }
    if (!set.zone) {
        errors.emplace_back(messages::text(Msg::plan_no_timezone));
        return;
    }
    std::string error;
    auto at = effective_instant(*set.zone, *date, days, time, error);
    if (!at) {
        errors.push_back(error);
        return;
    }
    plan.not_before_ms = at->unix_ms;
    plan.not_before_local = at->local;
}

}  // namespace hrmaild::workflow
