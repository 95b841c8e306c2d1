package dev.kiln.builder.registry;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * What kiln presents to a registry: a user name and password, or an identity (refresh) token, or
 * nothing at all.
 *
 * @param username null when anonymous
 * @param password the password or secret, null when anonymous
 * @param identityToken an OAuth2 refresh token from a credential helper, or null
 */
public record Credentials(String username, String password, String identityToken) {

    public static final Credentials ANONYMOUS = new Credentials(null, null, null);

    public static Credentials basic(String username, String password) {
        return new Credentials(username, password, null);
    }

    public boolean isAnonymous() {
        return username == null && identityToken == null;
    }

    /** The value of an {@code Authorization: Basic ...} header. */
    public String basicHeader() {
        String userPass = username + ":" + (password == null ? "" : password);
        return "Basic " + Base64.getEncoder().encodeToString(userPass.getBytes(StandardCharsets.UTF_8));
    }

    /** Never prints the secret. */
    @Override
    public String toString() {
        return isAnonymous() ? "Credentials[anonymous]" : "Credentials[user=" + username + "]";
    }
}
