package dev.kiln.oci;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PlatformTest {
    @Test
    void parse_withVariant_keepsAllParts() {
        Platform p = Platform.parse("linux/arm64/v8");
        assertThat(p.os()).isEqualTo("linux");
        assertThat(p.architecture()).isEqualTo("arm64");
        assertThat(p.variant()).isEqualTo("v8");
        assertThat(p).hasToString("linux/arm64/v8");
    }

    @Test
    void parse_javaArchNames_mappedToGo() {
        assertThat(Platform.parse("linux/x86_64").architecture()).isEqualTo("amd64");
        assertThat(Platform.parse("Linux/AARCH64").architecture()).isEqualTo("arm64");
    }

    @Test
    void parse_malformed_refusedWithHint() {
        for (String bad : new String[] {"linux", "linux/", "/amd64", "linux/arm/v7/x", "linux/arm/"}) {
            assertThatThrownBy(() -> Platform.parse(bad)).isInstanceOf(KilnException.class)
                    .hasMessageContaining(bad);
        }
    }

    @Test
    void current_onThisMachine_isLinuxWithGoArch() {
        Platform p = Platform.current();
        assertThat(p.os()).isEqualTo("linux");
        assertThat(p.architecture()).isIn("amd64", "arm64", "arm", "386", "ppc64le", "s390x", "riscv64");
        assertThat(p.architecture()).isNotIn("x86_64", "aarch64");
    }

    @Test
    void matches_arm64WithoutVariant_matchesV8Only() {
        Platform wanted = Platform.parse("linux/arm64");
        assertThat(wanted.matches(Platform.parse("linux/arm64/v8"))).isTrue();
        assertThat(wanted.matches(Platform.parse("linux/arm64"))).isTrue();
        assertThat(Platform.parse("linux/arm64/v8").matches(Platform.parse("linux/arm64"))).isTrue();
        assertThat(wanted.matches(Platform.parse("linux/arm64/v9"))).isFalse();
    }

    @Test
    void matches_differentOsOrArch_false() {
        assertThat(Platform.parse("linux/amd64").matches(Platform.parse("linux/arm64"))).isFalse();
        assertThat(Platform.parse("linux/amd64").matches(Platform.parse("windows/amd64"))).isFalse();
        assertThat(Platform.parse("linux/arm/v7").matches(Platform.parse("linux/arm/v6"))).isFalse();
        assertThat(Platform.parse("linux/arm").matches(Platform.parse("linux/arm/v7"))).isTrue();
        assertThat(Platform.parse("linux/amd64").matches(Platform.parse("linux/amd64/v3"))).isTrue();
    }
}
