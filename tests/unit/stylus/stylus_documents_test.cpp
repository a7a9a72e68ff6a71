// Every state-test-style document of tests/fixtures/stylus/*.json, one test each, named after
// the document (format: docs/wasm_contracts.md, "Test documents").
#include "unit/stylus/document_runner.hpp"

using namespace polyvm;
using namespace polyvm::stylus_test;

namespace {

class StylusDocument : public ::testing::TestWithParam<DocumentSource> {};

TEST_P(StylusDocument, HoldsItsExpectations) {
    const DocumentSource& source = GetParam();
    std::string missing_contract;
    Document doc;
    try {
        doc = document_from_json(source, missing_contract);
    } catch (const std::exception& e) {
        FAIL() << source.file << ", document " << source.name << ": " << e.what();
    }
    if (!missing_contract.empty())
        GTEST_SKIP() << "the example WebAssembly contract " << missing_contract << " was not built (no clang or wasm-ld)";
    run(doc);
}

std::string test_name(const ::testing::TestParamInfo<DocumentSource>& info) {
    std::string name = info.param.name;
    for (char& c : name)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    return name;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, StylusDocument, ::testing::ValuesIn(load_document_sources()), test_name);

TEST(StylusDocuments, TheFolderHoldsTheDocuments) {
    // A lost or unreadable file would otherwise only make fewer tests run.
    const std::vector<DocumentSource> sources = load_document_sources();
    EXPECT_GE(sources.size(), 27u);
    for (const DocumentSource& source : sources) EXPECT_NE(source.json, nullptr) << source.file;
}

}  // namespace
