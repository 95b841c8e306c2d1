package dev.kiln.builder.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AuthChallengeTest {

    @Test
    void parse_dockerHubBearer_readsRealmServiceScope() {
        List<AuthChallenge> cs = AuthChallenge.parse("Bearer realm=\"https://auth.docker.io/token\","
                + "service=\"registry.docker.io\",scope=\"repository:library/busybox:pull\"");
        assertThat(cs).hasSize(1);
        AuthChallenge c = cs.get(0);
        assertThat(c.isBearer()).isTrue();
        assertThat(c.param("realm")).isEqualTo("https://auth.docker.io/token");
        assertThat(c.param("service")).isEqualTo("registry.docker.io");
        assertThat(c.param("scope")).isEqualTo("repository:library/busybox:pull");
    }

    @Test
    void parse_scopeWithCommaInsideQuotes_keepsWholeValue() {
        AuthChallenge c = AuthChallenge.parse(
                "Bearer realm=\"http://x/t\",scope=\"repository:a:pull,push\"").get(0);
        assertThat(c.param("scope")).isEqualTo("repository:a:pull,push");
    }

    @Test
    void parse_basicWithUnquotedRealmAndMixedCase_normalisesScheme() {
        AuthChallenge c = AuthChallenge.parse("BASIC Realm=Registry").get(0);
        assertThat(c.isBasic()).isTrue();
        assertThat(c.param("realm")).isEqualTo("Registry");
    }

    @Test
    void parse_twoChallengesInOneHeader_returnsBoth() {
        List<AuthChallenge> cs = AuthChallenge.parse(
                "Basic realm=\"r\", Bearer realm=\"http://t\",service=\"s\"");
        assertThat(cs).extracting(AuthChallenge::scheme).containsExactly("basic", "bearer");
        assertThat(cs.get(1).param("service")).isEqualTo("s");
    }

    @Test
    void parse_escapedQuote_isUnescaped() {
        AuthChallenge c = AuthChallenge.parse("Basic realm=\"say \\\"hi\\\"\"").get(0);
        assertThat(c.param("realm")).isEqualTo("say \"hi\"");
    }

    @Test
    void parse_garbage_yieldsNoParamsButNoLoop() {
        assertThat(AuthChallenge.parse("=\"\"")).isEmpty();
    }
}
