package dev.kiln.oci;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DigestTest {
    // sha256("abc") and sha512("abc"), from FIPS 180-2.
    static final String ABC256 = "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    static final String ABC512 = "sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            + "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";

    @Test
    void sha256_knownVector_matches() {
        assertThat(Digest.sha256("abc".getBytes(StandardCharsets.US_ASCII))).hasToString(ABC256);
    }

    @Test
    void sha512_knownVector_matches() {
        assertThat(Digester.of("sha512").update("abc".getBytes(StandardCharsets.US_ASCII)).digest())
                .hasToString(ABC512);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sha256", "sha512"})
    void digester_digestCalledTwice_givesTheSameDigest(String algorithm) {
        Digester d = Digester.of(algorithm).update("abc".getBytes(StandardCharsets.US_ASCII));
        assertThat(d.digest()).hasToString(algorithm.equals("sha256") ? ABC256 : ABC512);
        assertThat(d.digest()).as("a second call, after the hash was finished").hasToString(
                algorithm.equals("sha256") ? ABC256 : ABC512);
    }

    @Test
    void parse_canonicalForms_roundTrip() {
        assertThat(Digest.parse(ABC256).toString()).isEqualTo(ABC256);
        assertThat(Digest.parse(ABC512).algorithm()).isEqualTo("sha512");
        assertThat(Digest.parse(ABC256).shortHex()).isEqualTo("ba7816bf8f01");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD", // uppercase
        "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a", // 63
        "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015add", // 65
        "sha256:ga7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", // not hex
        "md5:900150983cd24fb0d6963f7d28e17f72",
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", // no algorithm
        ":abc", "sha256:", "",
        "sha512:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", // sha256 length
        " sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    })
    void parse_malformed_refusedQuotingInput(String text) {
        assertThatThrownBy(() -> Digest.parse(text))
                .isInstanceOf(InvalidDigestException.class)
                .isInstanceOf(KilnException.class)
                .hasMessageContaining("invalid digest");
        assertThat(Digest.isDigest(text)).isFalse();
    }

    @Test
    void digestingInputStream_countsAndDigests() throws Exception {
        byte[] data = new byte[100_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31);
        }
        DigestingInputStream in = new DigestingInputStream(new ByteArrayInputStream(data));
        in.readNBytes(10);
        in.skip(5);
        in.read();
        in.transferTo(OutputStreamHolder.NULL);
        assertThat(in.size()).isEqualTo(data.length);
        assertThat(in.digest()).isEqualTo(Digest.sha256(data));
    }

    @Test
    void digestingInputStream_verify_mismatchNamesBothDigests() {
        byte[] data = "hello".getBytes(StandardCharsets.UTF_8);
        Digest wrong = Digest.sha256("other".getBytes(StandardCharsets.UTF_8));
        DigestingInputStream in = DigestingInputStream.forVerifying(new ByteArrayInputStream(data), wrong);
        assertThatThrownBy(() -> in.verify("blob", wrong, -1))
                .isInstanceOf(DigestMismatchException.class)
                .hasMessageContaining(wrong.toString())
                .hasMessageContaining(Digest.sha256(data).toString());
    }

    @Test
    void digestingInputStream_verify_wrongSizeRefused() {
        byte[] data = "hello".getBytes(StandardCharsets.UTF_8);
        Digest right = Digest.sha256(data);
        DigestingInputStream in = new DigestingInputStream(new ByteArrayInputStream(data));
        assertThatThrownBy(() -> in.verify("blob", right, 4))
                .isInstanceOf(DigestMismatchException.class)
                .hasMessageContaining("expected 4 bytes, got 5");
    }

    @Test
    void digestingOutputStream_passesThroughAndDigests() throws Exception {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        DigestingOutputStream out = new DigestingOutputStream(sink);
        out.write('a');
        out.write("bc".getBytes(StandardCharsets.US_ASCII));
        assertThat(sink.toString(StandardCharsets.US_ASCII)).isEqualTo("abc");
        assertThat(out.size()).isEqualTo(3);
        assertThat(out.digest()).hasToString(ABC256);
    }

    private static final class OutputStreamHolder {
        static final java.io.OutputStream NULL = java.io.OutputStream.nullOutputStream();
    }
}
