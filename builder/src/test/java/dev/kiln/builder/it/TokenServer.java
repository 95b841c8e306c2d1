package dev.kiln.builder.it;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.kiln.oci.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Docker's token server, in-process, for the {@code auth: token} registry: answers
 * {@code GET /token?service=..&scope=..} with an RS256 JWT whose header {@code kid} is the libtrust
 * key id of the certificate the registry trusts, granting every action asked for. Users: anonymous,
 * or the one given with its password (others get 401).
 */
final class TokenServer implements AutoCloseable {
    private final HttpServer server;
    private final PrivateKey key;
    private final String kid;
    private final String issuer;
    private final String user;
    private final String password;
    /** The scope parameters of every token request, in order. */
    final List<List<String>> requests = new CopyOnWriteArrayList<>();

    TokenServer(int port, Path keyPem, Path certPem, String issuer, String user, String password) throws Exception {
        this.key = readKey(keyPem);
        this.kid = libtrustKeyId(certPem);
        this.issuer = issuer;
        this.user = user;
        this.password = password;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/token", ex -> {
            try {
                String query = ex.getRequestURI().getRawQuery();
                String service = null;
                List<String> scopes = new ArrayList<>();
                for (String kv : query == null ? new String[0] : query.split("&")) {
                    int eq = kv.indexOf('=');
                    String k = kv.substring(0, eq);
                    String v = URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
                    if (k.equals("service")) {
                        service = v;
                    } else if (k.equals("scope")) {
                        scopes.add(v);
                    }
                }
                requests.add(scopes);
                String auth = ex.getRequestHeaders().getFirst("Authorization");
                String subject = "";
                if (auth != null) {
                    String expected = "Basic " + Base64.getEncoder().encodeToString(
                            (user + ":" + password).getBytes(StandardCharsets.UTF_8));
                    if (!auth.equals(expected)) {
                        send(ex, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"bad credentials\"}]}");
                        return;
                    }
                    subject = user;
                }
                String token = sign(service, subject, scopes);
                send(ex, 200, "{\"token\":\"" + token + "\",\"access_token\":\"" + token + "\",\"expires_in\":300}");
            } catch (Exception e) {
                send(ex, 500, "{\"errors\":[{\"code\":\"UNKNOWN\",\"message\":\"" + e + "\"}]}");
            } finally {
                ex.close();
            }
        });
        server.start();
    }

    private static void send(com.sun.net.httpserver.HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    private String sign(String service, String subject, List<String> scopes) throws Exception {
        ObjectNode header = Json.mapper().createObjectNode();
        header.put("typ", "JWT").put("alg", "RS256").put("kid", kid);
        long now = System.currentTimeMillis() / 1000;
        ObjectNode claims = Json.mapper().createObjectNode();
        claims.put("iss", issuer).put("sub", subject).put("aud", service)
                .put("exp", now + 300).put("nbf", now - 10).put("iat", now).put("jti", UUID.randomUUID().toString());
        ArrayNode access = claims.putArray("access");
        for (String scope : scopes) {
            String[] parts = scope.split(":");
            if (parts.length < 3) {
                continue;
            }
            ObjectNode a = access.addObject();
            a.put("type", parts[0]);
            a.put("name", String.join(":", java.util.Arrays.copyOfRange(parts, 1, parts.length - 1)));
            ArrayNode actions = a.putArray("actions");
            for (String action : parts[parts.length - 1].split(",")) {
                actions.add(action);
            }
        }
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String signingInput = b64.encodeToString(Json.mapper().writeValueAsBytes(header)) + "."
                + b64.encodeToString(Json.mapper().writeValueAsBytes(claims));
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(key);
        s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + b64.encodeToString(s.sign());
    }

    private static PrivateKey readKey(Path pem) throws Exception {
        String body = Files.readString(pem).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
    }

    /** libtrust's key id: SHA-256 of the DER public key, first 240 bits, base32, groups of 4 joined by ':'. */
    static String libtrustKeyId(Path certPem) throws Exception {
        X509Certificate cert;
        try (var in = Files.newInputStream(certPem)) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        byte[] hash = MessageDigest.getInstance("SHA-256").digest(cert.getPublicKey().getEncoded());
        String b32 = base32(java.util.Arrays.copyOf(hash, 30));
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < b32.length(); i += 4) {
            if (i > 0) {
                sb.append(':');
            }
            sb.append(b32, i, Math.min(i + 4, b32.length()));
        }
        return sb.toString();
    }

    private static String base32(byte[] data) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        StringBuilder sb = new StringBuilder();
        int buffer = 0;
        int bits = 0;
        for (byte b : data) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                sb.append(alphabet.charAt((buffer >> (bits - 5)) & 31));
                bits -= 5;
            }
        }
        if (bits > 0) {
            sb.append(alphabet.charAt((buffer << (5 - bits)) & 31));
        }
        return sb.toString();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
