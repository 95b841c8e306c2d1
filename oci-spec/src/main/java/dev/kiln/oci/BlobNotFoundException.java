package dev.kiln.oci;

/** A blob that was asked for by digest and is not there. */
public class BlobNotFoundException extends KilnException {
    private static final long serialVersionUID = 1L;

    public BlobNotFoundException(Digest digest, String where) {
        super("blob " + digest + " not found in " + where);
    }
}
