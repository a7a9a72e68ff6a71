// Blob KZG proofs (EIP-4844) and cell proofs (EIP-7594) against c-kzg: commitments, proofs,
// evaluations and cells that the reference implementation computed for blobs rebuilt here from
// a kind and a seed (data/kzg_blob_vectors.txt, written by data/make_kzg_blob_vectors.cjs).
#include "common/hex.hpp"
#include "crypto/hashes.hpp"
#include "crypto/kzg_blob.hpp"
#include "crypto/kzg_cells.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace polyvm;
using polyvm::bls12_381::Fr;

namespace {

// The blob generators of make_kzg_blob_vectors.cjs.
bytes make_blob(const std::string& kind, uint32_t seed) {
    bytes blob(kzg::kBytesPerBlob);
    uint32_t state = seed;
    for (size_t i = 0; i < blob.size(); ++i) {
        if (kind == "pattern") {
            blob[i] = i % 32 == 0 ? 0 : static_cast<uint8_t>(i * 7 + seed);
        } else {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            blob[i] = static_cast<uint8_t>(i % 32 == 0 ? (state & 0x3f) : (state & 0xff));
        }
    }
    return blob;
}

struct Vector {
    std::string kind;
    uint32_t seed = 0;
    bytes commitment, proof, z, y;
};

struct CellVector {
    std::string kind;
    uint32_t seed = 0;
    kzg::G1Bytes commitment{};
    bytes cells_sha256;
    std::vector<kzg::G1Bytes> proofs;
};

std::vector<std::string> vector_lines(bool cells) {
    std::ifstream file(std::filesystem::path(POLYVM_SOURCE_DIR) / "tests/unit/crypto/data/kzg_blob_vectors.txt");
    EXPECT_TRUE(file.good()) << "tests/unit/crypto/data/kzg_blob_vectors.txt is missing";
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(file, line))
        if (!line.empty() && line[0] != '#' && line.starts_with("cells ") == cells) lines.push_back(line);
    return lines;
}

kzg::G1Bytes g1_bytes(const std::string& hex) {
    const bytes raw = from_hex(hex).value_or(bytes{});
    EXPECT_EQ(raw.size(), 48u) << hex;
    kzg::G1Bytes out{};
    std::copy_n(raw.begin(), std::min<size_t>(raw.size(), 48), out.begin());
    return out;
}

std::vector<CellVector> load_cell_vectors() {
    std::vector<CellVector> vectors;
    for (const auto& line : vector_lines(true)) {
        std::istringstream fields(line);
        CellVector v;
        std::string tag, commitment, digest, proof;
        fields >> tag >> v.kind >> v.seed >> commitment >> digest;
        v.commitment = g1_bytes(commitment);
        v.cells_sha256 = from_hex(digest).value_or(bytes{});
        while (fields >> proof) v.proofs.push_back(g1_bytes(proof));
        EXPECT_EQ(v.proofs.size(), kzg::kCellsPerExtBlob) << line;
        vectors.push_back(std::move(v));
    }
    return vectors;
}

std::vector<Vector> load_vectors() {
    std::vector<Vector> vectors;
    for (const auto& line : vector_lines(false)) {
        std::istringstream fields(line);
        Vector v;
        std::string commitment, proof, z, y;
        fields >> v.kind >> v.seed >> commitment >> proof >> z >> y;
        v.commitment = from_hex(commitment).value_or(bytes{});
        v.proof = from_hex(proof).value_or(bytes{});
        v.z = from_hex(z).value_or(bytes{});
        v.y = from_hex(y).value_or(bytes{});
        EXPECT_EQ(v.commitment.size(), 48u) << line;
        EXPECT_EQ(v.proof.size(), 48u) << line;
        vectors.push_back(std::move(v));
    }
    return vectors;
}

std::span<const uint8_t, 48> g1(const bytes& b) { return std::span<const uint8_t, 48>(b.data(), 48); }
kzg::BlobView view(const bytes& b) { return kzg::BlobView(b.data(), kzg::kBytesPerBlob); }

}  // namespace

TEST(KzgBlob, EvaluationsMatchCKzg) {
    const auto vectors = load_vectors();
    ASSERT_GE(vectors.size(), 6u);
    for (const auto& v : vectors) {
        const bytes blob = make_blob(v.kind, v.seed);
        const auto polynomial = kzg::blob_to_polynomial(view(blob));
        ASSERT_TRUE(polynomial);
        const Fr y = kzg::evaluate_polynomial_in_evaluation_form(*polynomial, *Fr::from_be(v.z.data()));
        bytes y_bytes(32);
        y.to_be(y_bytes.data());
        EXPECT_EQ(to_hex(y_bytes), to_hex(v.y)) << v.kind << " " << v.seed;
    }
}

TEST(KzgBlob, ProofsOfCKzgVerify) {
    for (const auto& v : load_vectors()) {
        const bytes blob = make_blob(v.kind, v.seed);
        EXPECT_EQ(kzg::verify_blob_kzg_proof(view(blob), g1(v.commitment), g1(v.proof)), std::optional<bool>(true))
            << v.kind << " " << v.seed;
    }
}

TEST(KzgBlob, WrongClaimsFail) {
    const auto vectors = load_vectors();
    ASSERT_GE(vectors.size(), 2u);
    const auto& a = vectors[0];
    const auto& b = vectors[1];
    const bytes blob = make_blob(a.kind, a.seed);
    // Another blob's proof, another blob's commitment, one changed element.
    EXPECT_EQ(kzg::verify_blob_kzg_proof(view(blob), g1(a.commitment), g1(b.proof)), std::optional<bool>(false));
    EXPECT_EQ(kzg::verify_blob_kzg_proof(view(blob), g1(b.commitment), g1(a.proof)), std::optional<bool>(false));
    bytes changed = blob;
    changed[32 * 100 + 31] ^= 1;
    EXPECT_EQ(kzg::verify_blob_kzg_proof(view(changed), g1(a.commitment), g1(a.proof)), std::optional<bool>(false));
    // Invalid encodings: an element not below the modulus, a point off the curve, no compression flag.
    bytes too_big = blob;
    std::fill(too_big.begin() + 32 * 7, too_big.begin() + 32 * 8, 0xff);
    EXPECT_EQ(kzg::verify_blob_kzg_proof(view(too_big), g1(a.commitment), g1(a.proof)), std::nullopt);
    bytes bad_point = a.proof;
    bad_point[47] ^= 0x55;
    const auto verdict = kzg::verify_blob_kzg_proof(view(blob), g1(a.commitment), g1(bad_point));
    EXPECT_TRUE(!verdict || !*verdict);
    bytes uncompressed = a.commitment;
    uncompressed[0] &= 0x7f;
    EXPECT_EQ(kzg::verify_blob_kzg_proof(view(blob), g1(uncompressed), g1(a.proof)), std::nullopt);
}

TEST(KzgBlob, ChallengeDependsOnBlobAndCommitment) {
    const auto vectors = load_vectors();
    const bytes blob = make_blob(vectors[0].kind, vectors[0].seed);
    const Fr c = kzg::compute_challenge(view(blob), g1(vectors[0].commitment));
    EXPECT_NE(c, kzg::compute_challenge(view(blob), g1(vectors[1].commitment)));
    bytes other = blob;
    other[5] ^= 1;
    EXPECT_NE(c, kzg::compute_challenge(view(other), g1(vectors[0].commitment)));
}

TEST(KzgCells, CellsMatchCKzg) {
    const auto vectors = load_cell_vectors();
    ASSERT_GE(vectors.size(), 2u);
    for (const auto& v : vectors) {
        const bytes blob = make_blob(v.kind, v.seed);
        const auto cells = kzg::compute_cells(view(blob));
        ASSERT_TRUE(cells);
        ASSERT_EQ(cells->size(), kzg::kCellsPerExtBlob);
        bytes all;
        for (const auto& cell : *cells) all.insert(all.end(), cell.begin(), cell.end());
        const Hash32 digest = sha256(all);
        EXPECT_EQ(to_hex(bytes(digest.bytes.begin(), digest.bytes.end())), to_hex(v.cells_sha256)) << v.kind << " " << v.seed;
        // The first half of the extension is the blob itself (bit-reversed order keeps it there).
        EXPECT_TRUE(std::equal(blob.begin(), blob.end(), all.begin()));
    }
}

TEST(KzgCells, ProofsOfCKzgVerify) {
    for (const auto& v : load_cell_vectors()) {
        const bytes blob = make_blob(v.kind, v.seed);
        EXPECT_EQ(kzg::verify_blob_cell_proofs(view(blob), v.commitment, v.proofs), std::optional<bool>(true))
            << v.kind << " " << v.seed;
    }
}

TEST(KzgCells, WrongClaimsFail) {
    const auto vectors = load_cell_vectors();
    ASSERT_GE(vectors.size(), 2u);
    const auto& a = vectors[0];
    const auto& b = vectors[1];
    const bytes blob = make_blob(a.kind, a.seed);
    // Another blob's commitment or proofs; two proofs swapped; one element of the blob changed.
    EXPECT_EQ(kzg::verify_blob_cell_proofs(view(blob), b.commitment, a.proofs), std::optional<bool>(false));
    EXPECT_EQ(kzg::verify_blob_cell_proofs(view(blob), a.commitment, b.proofs), std::optional<bool>(false));
    auto swapped = a.proofs;
    std::swap(swapped[3], swapped[90]);
    EXPECT_EQ(kzg::verify_blob_cell_proofs(view(blob), a.commitment, swapped), std::optional<bool>(false));
    bytes changed = blob;
    changed[32 * 4000 + 31] ^= 1;
    EXPECT_EQ(kzg::verify_blob_cell_proofs(view(changed), a.commitment, a.proofs), std::optional<bool>(false));
    // A subset of cells verifies on its own (the batch form samplers use); a changed cell does not.
    const auto cells = kzg::compute_cells(view(blob));
    ASSERT_TRUE(cells);
    const std::vector<uint64_t> indices = {5, 64, 127};
    std::vector<kzg::Cell> some = {(*cells)[5], (*cells)[64], (*cells)[127]};
    const std::vector<kzg::G1Bytes> commitments(3, a.commitment);
    const std::vector<kzg::G1Bytes> proofs = {a.proofs[5], a.proofs[64], a.proofs[127]};
    EXPECT_EQ(kzg::verify_cell_kzg_proof_batch(commitments, indices, some, proofs), std::optional<bool>(true));
    some[1][31] ^= 1;
    EXPECT_EQ(kzg::verify_cell_kzg_proof_batch(commitments, indices, some, proofs), std::optional<bool>(false));
    // Cells of two blobs in one batch.
    const auto other_cells = kzg::compute_cells(view(make_blob(b.kind, b.seed)));
    ASSERT_TRUE(other_cells);
    const std::vector<kzg::G1Bytes> mixed_commitments = {a.commitment, b.commitment};
    const std::vector<uint64_t> mixed_indices = {7, 7};
    const std::vector<kzg::Cell> mixed_cells = {(*cells)[7], (*other_cells)[7]};
    const std::vector<kzg::G1Bytes> mixed_proofs = {a.proofs[7], b.proofs[7]};
    EXPECT_EQ(kzg::verify_cell_kzg_proof_batch(mixed_commitments, mixed_indices, mixed_cells, mixed_proofs),
              std::optional<bool>(true));
    // Bad inputs: an index past 127, sizes that differ.
    const std::vector<uint64_t> bad_index = {128};
    EXPECT_EQ(kzg::verify_cell_kzg_proof_batch(std::span(commitments).first(1), bad_index, std::span(some).first(1),
                                               std::span(proofs).first(1)),
              std::nullopt);
    EXPECT_EQ(kzg::verify_cell_kzg_proof_batch(commitments, indices, std::span(some).first(2), proofs), std::nullopt);
}
