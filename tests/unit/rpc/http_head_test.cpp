// read_post_head against Beast's request parser, which it stands in front of: on generated
// heads (names in any case, spacing, Connection options, versions, other methods, damaged
// lines, duplicate or bad lengths), whatever it accepts Beast must accept with the same body
// length, keep-alive and version; and a head cut short is never taken as complete.
#include "rpc/http_head.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

using namespace polyvm::rpc;
namespace http = boost::beast::http;

namespace {

struct BeastView {
    bool ok = false;
    size_t consumed = 0;
    bool post = false, keep_alive = false, http_10 = false;
    std::string body;
};

BeastView parse_with_beast(const std::string& text) {
    http::request_parser<http::string_body> parser;
    parser.eager(true);
    BeastView view;
    boost::system::error_code ec;
    while (!parser.is_done() && view.consumed < text.size()) {
        const size_t used = parser.put(boost::asio::buffer(text.data() + view.consumed, text.size() - view.consumed), ec);
        view.consumed += used;
        if (ec || used == 0) break;
    }
    if (ec || !parser.is_done()) return view;
    const auto& request = parser.get();
    view.ok = true;
    view.post = request.method() == http::verb::post;
    view.keep_alive = request.keep_alive();
    view.http_10 = request.version() == 10;
    view.body = request.body();
    return view;
}

std::string random_case(std::string text, std::mt19937& rng) {
    for (char& c : text)
        if (rng() % 2 && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return text;
}

}  // namespace

TEST(HttpHead, AcceptsOnlyWhatBeastReadsTheSameWay) {
    std::mt19937 rng(11);
    auto pick = [&](const std::vector<std::string>& options) { return options[rng() % options.size()]; };
    const std::vector<std::string> request_lines = {"POST / HTTP/1.1", "POST / HTTP/1.1", "POST / HTTP/1.0", "POST /rpc?x=1 HTTP/1.1",
                                                    "GET / HTTP/1.1", "post / HTTP/1.1", "POST  / HTTP/1.1", "POST / HTTP/2.0",
                                                    "POST / HTTP/1.1 ", "POST /\x01 HTTP/1.1", "OPTIONS / HTTP/1.1"};
    const std::vector<std::string> spaces = {"", " ", "  ", "\t", " \t"};
    const std::vector<std::string> connection_values = {"close", "keep-alive", "Keep-Alive", "close, keep-alive", "upgrade",
                                                        "keep-alive, close", "te", ",close", "", "x y"};
    int accepted = 0, rejected_by_both = 0;
    for (int round = 0; round < 20000; ++round) {
        const std::string body(rng() % 40, 'b');
        std::string head = pick(request_lines) + "\r\n";
        std::vector<std::string> fields;
        const int length_fields = rng() % 12 == 0 ? 2 : (rng() % 12 == 0 ? 0 : 1);
        for (int i = 0; i < length_fields; ++i) {
            std::string value = std::to_string(body.size());
            if (rng() % 20 == 0) value = pick({"+1", "1a", "-1", "0x10", "", "99999999999999999999", "0" + value});
            fields.push_back(random_case("content-length", rng) + ":" + pick(spaces) + value + pick(spaces));
        }
        if (rng() % 3 == 0) fields.push_back(random_case("connection", rng) + ":" + pick(spaces) + pick(connection_values));
        if (rng() % 2 == 0) fields.push_back("Host: 127.0.0.1:8545");
        if (rng() % 2 == 0) fields.push_back(random_case("content-type", rng) + ": application/json");
        if (rng() % 20 == 0) fields.push_back("Transfer-Encoding: chunked");
        if (rng() % 20 == 0) fields.push_back("Expect: 100-continue");
        if (rng() % 20 == 0) fields.push_back("Upgrade: websocket");
        if (rng() % 15 == 0) fields.push_back(pick({"Bad Name: 1", "NoColon", ": empty", "X-Fold: a\r\n b", "X-Bin: \xc3\xa9",
                                                    "X-Ctl: a\x01", "X-Tab:\tvalue\t", "X-Empty:", "X-Space : 1"}));
        std::shuffle(fields.begin(), fields.end(), rng);
        for (const auto& field : fields) head += field + "\r\n";
        head += "\r\n";
        const std::string message = head + body + (rng() % 4 == 0 ? "POST / HTTP/1.1\r\n" : "");

        PostHead read;
        const HeadStatus status = read_post_head(message, read);
        const BeastView beast = parse_with_beast(message);
        if (status == HeadStatus::Complete) {
            ++accepted;
            ASSERT_TRUE(beast.ok) << message;
            EXPECT_TRUE(beast.post) << message;
            EXPECT_EQ(read.head_size + read.content_length, beast.consumed) << message;
            EXPECT_EQ(message.substr(read.head_size, read.content_length), beast.body) << message;
            EXPECT_EQ(read.keep_alive, beast.keep_alive) << message;
            EXPECT_EQ(read.http_10, beast.http_10) << message;
        } else {
            EXPECT_EQ(status, HeadStatus::Unusual) << message;  // the whole head is there
            rejected_by_both += !beast.ok;
        }
        // Any cut inside the head is never complete.
        PostHead partial;
        const size_t cut = rng() % (head.size() - 3);
        EXPECT_NE(read_post_head(std::string_view(message).substr(0, cut), partial), HeadStatus::Complete) << message;
    }
    EXPECT_GT(accepted, 3000);         // the common case was exercised...
    EXPECT_GT(rejected_by_both, 500);  // ...and so were heads Beast refuses too
}

TEST(HttpHead, LongHeadsGoToBeast) {
    PostHead head;
    std::string text = "POST / HTTP/1.1\r\nX-Long: " + std::string(kMaxPostHead, 'a');
    EXPECT_EQ(read_post_head(text, head), HeadStatus::Unusual);
    EXPECT_EQ(read_post_head(text + "\r\nContent-Length: 0\r\n\r\n", head), HeadStatus::Unusual);
    EXPECT_EQ(read_post_head("POST / HT", head), HeadStatus::Incomplete);
    EXPECT_EQ(read_post_head("GET / HTTP/1.1\r\n", head), HeadStatus::Unusual);
}
