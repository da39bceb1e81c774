// The answers: Zoho's success and error envelopes and the JSON shapes of users, groups,
// the organization and storage.
#include "tests/sandbox/zoho_org.hpp"

#include "tests/sandbox/seed.hpp"
#include "tests/sandbox/util.hpp"

#include <algorithm>
#include <set>

namespace hrmaild::sandbox::zoho_detail {

using std::chrono::seconds;

std::string description_for(int status) {
    switch (status) {
        case 200:
            return "success";
        case 201:
            return "success";
        case 400:
            return "Invalid Input";
        case 401:
            return "Invalid Access";
        case 403:
            return "Access Denied";
        case 404:
            return "Not Found";
        case 429:
            return "Too Many Requests";
        default:
            return "Internal Error";
    }
}

Response ok(int status, std::optional<json::value> data) {
    json::object body;
    body["status"] = json::object{{"code", status}, {"description", "success"}};
    if (data)
        body["data"] = std::move(*data);
    return Response::json(status, body);
}

Response fail(int status, std::string_view code, std::string_view more_info) {
    json::object data{{"errorCode", code}};
    if (!more_info.empty())
        data["moreInfo"] = more_info;
    json::object body;
    body["status"] = json::object{{"code", status}, {"description", description_for(status)}};
    body["data"] = std::move(data);
    return Response::json(status, body);
}

Response oauth_error(std::string_view error) {
    return Response::json(200, json::object{{"error", error}});
}

Response extra_key_response(const std::string& key) {
    return fail(404, "EXTRA_KEY_FOUND_IN_JSON", "Extra key found in JSON: " + key);
}

json::object Org::user_json(const User& u) const {
    json::object o;
    o["zuid"] = u.zuid;
    o["accountId"] = std::to_string(u.account_id);
    o["primaryEmailAddress"] = u.email;
    o["mailboxAddress"] = u.email;
    o["incomingUserName"] = u.email;
    o["firstName"] = u.first_name;
    o["lastName"] = u.last_name;
    o["displayName"] = u.display_name;
    o["accountDisplayName"] = u.display_name;
    o["accountName"] = local_part(u.email);
    o["role"] = u.role;
    o["isCustomAdmin"] = false;
    o["iamUserRole"] = u.role;
    o["mailboxStatus"] = u.mail_enabled ? "enabled" : "disabled";
    o["status"] = u.account_enabled;
    o["enabled"] = u.mail_enabled;
    o["iamStatus"] = u.account_enabled ? "active" : "disabled";
    json::array addresses;
    addresses.push_back(json::object{
        {"mailId", u.email}, {"isPrimary", true}, {"isAlias", false}, {"isConfirmed", true}});
    for (const auto& a : u.aliases) {
        addresses.push_back(json::object{
            {"mailId", a.address}, {"isPrimary", false}, {"isAlias", true}, {"isConfirmed", true}});
    }
    o["emailAddress"] = std::move(addresses);
    o["usedStorage"] = used_storage_mb(u);
    o["planStorage"] = 30;
    o["allowedStorage"] = 30;
    o["basicStorage"] = "mailPremium";
    o["extraStorage"] = json::object{};
    o["lastLogin"] = last_login_ms(u);
    o["lastPasswordReset"] = u.last_password_reset_ms;
    o["accountCreationTime"] = u.created_ms;
    o["mailboxCreationTime"] = u.created_ms;
    o["userExpiry"] = u.user_expiry;
    o["tfaEnabled"] = false;
    o["imapAccessEnabled"] = true;
    o["popAccessEnabled"] = false;
    o["activeSyncEnabled"] = true;
    o["incomingBlocked"] = u.incoming_blocked;
    o["outgoingBlocked"] = false;
    o["webBlocked"] = !u.account_enabled;
    o["popBlocked"] = false;
    o["imapBlocked"] = false;
    o["mxStatus"] = true;
    o["spamcheckEnabled"] = true;
    o["country"] = u.country;
    o["language"] = u.language;
    o["timeZone"] = u.time_zone;
    o["gender"] = "";
    o["mobileNumber"] = "";
    o["phoneNumer"] = "";
    o["address"] = json::object{};
    o["policyId"] = json::object{{"1", "Default"}};
    o["sendMailDetails"] = u.send_mail_details;
    o["mailForward"] = u.mail_forward;
    o["type"] = "ZOHO_ACCOUNT";
    o["sequence"] = 1;
    o["URI"] =
        "/api/organization/" + std::to_string(zoid) + "/accounts/" + std::to_string(u.account_id);
    for (const auto& kv : u.extra)
        o[kv.key()] = kv.value();
    return o;
}

json::object Org::member_json(const Member& m) {
    json::object o;
    o["memberEmailId"] = m.email;
    User* u = user_by_email(m.email);
    if (u != nullptr) {
        o["zuid"] = u->zuid;
        o["firstName"] = u->first_name;
        o["lastName"] = u->last_name;
        o["displayName"] = u->display_name;
    }
    o["role"] = m.role;
    o["status"] = m.status;
    o["postApproval"] = m.post_approval;
    o["ackStatus"] = m.ack_status;
    o["sendAsRight"] = false;
    o["memberType"] = u != nullptr ? "orgUser" : "externalUser";
    o["deliveryOption"] = "default";
    o["failureCount"] = 0;
    return o;
}

json::object Org::group_json(const Group& g) {
    json::object o;
    o["zgid"] = g.zgid;
    o["emailId"] = g.email;
    o["name"] = g.name;
    o["groupDescription"] = g.description;
    o["accessType"] = g.access_type;
    o["groupMemberCount"] = static_cast<std::int64_t>(g.members.size());
    o["mailboxId"] = g.mailbox_id;
    o["policyName"] = "Default";
    o["pendingInvitation"] = 0;
    o["accountCreationTime"] = g.created_ms;
    o["iamGroupExist"] = true;
    o["streamsEnabled"] = g.streams_enabled;
    o["isModerator"] = false;
    o["isLogoExist"] = false;
    o["blockDetails"] = json::array{};
    o["URI"] = "/api/organization/" + std::to_string(zoid) + "/groups/" + std::to_string(g.zgid);
    json::object admin{{"mailboxId", g.mailbox_id},
                       {"accessType", g.access_type},
                       {"holdOrBounce", "hold"},
                       {"adminNotify", false},
                       {"authorNotify", false},
                       {"isNotToCc", false},
                       {"spamApproval", false},
                       {"mailboxSendRights", false},
                       {"spamMarkPermission", false},
                       {"postApprovedNotify", false},
                       {"suppressMailOnMemAdd", false},
                       {"moderationApprovalOption", "APPROVE"},
                       {"moderationTTL", 0}};
    for (const auto& kv : g.admin_settings)
        admin[kv.key()] = kv.value();
    o["groupAdminSettings"] = std::move(admin);
    if (!g.general_settings.empty())
        o["groupGeneralSettingVO"] = g.general_settings;
    if (!g.text_settings.empty())
        o["grpTxtSettings"] = g.text_settings;
    json::array members;
    for (const auto& m : g.members)
        members.push_back(member_json(m));
    o["mailGroupMemberList"] = std::move(members);
    return o;
}

json::object Org::org_json() const {
    std::string super_admin, super_admin_name;
    for (const auto& u : users) {
        if (u.role == "super_admin") {
            super_admin = u.email;
            super_admin_name = u.display_name;
            break;
        }
    }
    json::array doms;
    for (const auto& d : domains)
        doms.push_back(json::value(d));
    json::object o;
    o["zoid"] = zoid;
    o["orgName"] = org_name;
    o["superAdmin"] = super_admin;
    o["superAdminFullName"] = super_admin_name;
    o["superAdminLoginName"] = super_admin;
    o["basePlan"] = "Mail Premium";
    o["planType"] = "paid";
    o["paymentPeriod"] = "yearly";
    o["expiryTime"] = org_created_ms + std::int64_t{365} * 24 * 3600 * 1000;
    o["orgCreationTime"] = org_created_ms;
    o["usersCount"] = static_cast<std::int64_t>(users.size());
    o["groupCount"] = static_cast<std::int64_t>(groups.size());
    o["mailboxCount"] = static_cast<std::int64_t>(
        std::count_if(users.begin(), users.end(), [](const User& u) { return u.mail_enabled; }));
    o["licenseCount"] = license_count;
    o["sharedGroupCount"] = 0;
    o["partnerOrgCount"] = 0;
    o["domains"] = std::move(doms);
    o["primaryDomainName"] = primary_domain;
    o["isMailHostingEnabled"] = true;
    o["isDomainMarkingExist"] = false;
    o["spamVO"] = json::object{{"spamProcessType", "moderate"}};
    o["orgPolicyDetails"] = json::object{{"1", "Default"}};
    o["zaid"] = zoid + 1;
    o["encryptedZoid"] = util::sha256_hex(std::to_string(zoid)).substr(0, 24);
    o["URI"] = "/api/organization/" + std::to_string(zoid);
    o["orgImageUrl"] = "";
    o["isEmailConfirmed"] = true;
    o["isOfferAvailable"] = false;
    return o;
}

json::object Org::storage_json(const User& u) const {
    return json::object{{"zuid", u.zuid},
                        {"totalStorage", 30},
                        {"usedStorage", used_storage_mb(u)},
                        {"mailBox", u.mail_enabled},
                        {"basicStorage", "mailPremium"},
                        {"extraStorage", json::object{}}};
}

Response Org::throttle() const {
    int status = options.throttle_as_400 ? 400 : 429;
    return fail(status, "URL_ROLLING_THROTTLES_LIMIT_EXCEEDED",
                "Too many requests. Please try again after some time.");
}

}  // namespace hrmaild::sandbox::zoho_detail
