//! The cryptography behind the App JWT: RS256 signing (and, for tests and tools, verifying)
//! with `ring`, installed as jsonwebtoken's process-wide [`CryptoProvider`].
//!
//! Why not jsonwebtoken's own backends: `rust_crypto` pulls in the `rsa` crate, whose
//! RUSTSEC-2023-0071 (a timing side channel in decryption and signing, the "Marvin attack") has
//! no fixed release; `aws_lc_rs` builds a large C library. `ring` is already linked for TLS
//! (rustls), has constant-time RSA, and is all this server needs: it signs one RS256 JWT at a
//! time and never decrypts. See SECURITY.md.
//!
//! Only RS256 is provided. Any other algorithm is refused with an error, never a panic.

use jsonwebtoken::crypto::{CryptoProvider, JwkUtils, JwtSigner, JwtVerifier};
use jsonwebtoken::errors::{new_error, ErrorKind};
use jsonwebtoken::{Algorithm, DecodingKey, DecodingKeyKind, EncodingKey};
use ring::signature::{
    RsaKeyPair, RsaPublicKeyComponents, UnparsedPublicKey, RSA_PKCS1_2048_8192_SHA256,
    RSA_PKCS1_SHA256,
};

/// The provider: RS256 only, backed by `ring`.
static RING_RS256: CryptoProvider = CryptoProvider {
    signer_factory: new_signer,
    verifier_factory: new_verifier,
    jwk_utils: JwkUtils::new_unimplemented(),
};

/// Makes the `ring` RS256 provider jsonwebtoken's process-wide default. Idempotent; called
/// before any JWT is signed or verified (by [`super::auth::AppCredentials::from_pem`], and by
/// tests that verify JWTs).
pub fn install() {
    // `Err` means a provider is installed already: ours (called twice), which is the goal.
    let _already_installed = RING_RS256.install_default();
}

fn unsupported(algorithm: &Algorithm) -> jsonwebtoken::errors::Error {
    tracing::warn!(?algorithm, "JWT algorithm other than RS256 requested");
    new_error(ErrorKind::InvalidAlgorithm)
}

fn new_signer(
    algorithm: &Algorithm,
    key: &EncodingKey,
) -> jsonwebtoken::errors::Result<Box<dyn JwtSigner>> {
    if *algorithm != Algorithm::RS256 {
        return Err(unsupported(algorithm));
    }
    // jsonwebtoken keeps RSA private keys as PKCS#1 DER (it converts PKCS#8 PEMs).
    let pair = RsaKeyPair::from_der(key.inner())
        .or_else(|_| RsaKeyPair::from_pkcs8(key.inner()))
        .map_err(|e| new_error(ErrorKind::InvalidRsaKey(e.to_string())))?;
    Ok(Box::new(Rs256Signer(pair)))
}

fn new_verifier(
    algorithm: &Algorithm,
    key: &DecodingKey,
) -> jsonwebtoken::errors::Result<Box<dyn JwtVerifier>> {
    if *algorithm != Algorithm::RS256 {
        return Err(unsupported(algorithm));
    }
    Ok(Box::new(Rs256Verifier(key.kind().clone())))
}

struct Rs256Signer(RsaKeyPair);

impl jsonwebtoken::signature::Signer<Vec<u8>> for Rs256Signer {
    fn try_sign(&self, msg: &[u8]) -> Result<Vec<u8>, jsonwebtoken::signature::Error> {
        let mut sig = vec![0; self.0.public().modulus_len()];
        // PKCS#1 v1.5 signing is deterministic; ring still asks for a random source.
        let rng = ring::rand::SystemRandom::new();
        self.0
            .sign(&RSA_PKCS1_SHA256, &rng, msg, &mut sig)
            .map_err(|_| jsonwebtoken::signature::Error::new())?;
        Ok(sig)
    }
}

impl JwtSigner for Rs256Signer {
    fn algorithm(&self) -> Algorithm {
        Algorithm::RS256
    }
}

struct Rs256Verifier(DecodingKeyKind);

impl jsonwebtoken::signature::Verifier<Vec<u8>> for Rs256Verifier {
    fn verify(&self, msg: &[u8], sig: &Vec<u8>) -> Result<(), jsonwebtoken::signature::Error> {
        let checked = match &self.0 {
            // `DecodingKey::from_rsa_pem` keeps the PKCS#1 `RSAPublicKey` DER.
            DecodingKeyKind::SecretOrDer(der) => {
                UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, der).verify(msg, sig)
            }
            DecodingKeyKind::RsaModulusExponent { n, e } => {
                RsaPublicKeyComponents { n, e }.verify(&RSA_PKCS1_2048_8192_SHA256, msg, sig)
            }
        };
        checked.map_err(|_| jsonwebtoken::signature::Error::new())
    }
}

impl JwtVerifier for Rs256Verifier {
    fn algorithm(&self) -> Algorithm {
        Algorithm::RS256
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/github")
                .join(name),
        )
        .expect("test key fixture")
    }

    #[test]
    fn signs_rs256_that_verifies_only_with_the_matching_public_key() {
        install();
        let key = EncodingKey::from_rsa_pem(&fixture("test-app-key.pem")).unwrap();
        let claims = serde_json::json!({ "iss": 1, "exp": 4_000_000_000u64 });
        let jwt = jsonwebtoken::encode(&jsonwebtoken::Header::new(Algorithm::RS256), &claims, &key)
            .unwrap();
        let mut validation = jsonwebtoken::Validation::new(Algorithm::RS256);
        validation.required_spec_claims.clear();
        let ours = DecodingKey::from_rsa_pem(&fixture("test-app-key.pub.pem")).unwrap();
        let data = jsonwebtoken::decode::<serde_json::Value>(&jwt, &ours, &validation).unwrap();
        assert_eq!(data.claims["iss"], 1);
        // The same token does not verify with another App's key, nor once tampered with.
        let other = EncodingKey::from_rsa_pem(&fixture("other-app-key.pem")).unwrap();
        let forged = jsonwebtoken::encode(
            &jsonwebtoken::Header::new(Algorithm::RS256),
            &claims,
            &other,
        )
        .unwrap();
        assert!(jsonwebtoken::decode::<serde_json::Value>(&forged, &ours, &validation).is_err());
        let mut tampered = jwt.clone();
        tampered.insert(jwt.find('.').unwrap() + 2, 'x');
        assert!(jsonwebtoken::decode::<serde_json::Value>(&tampered, &ours, &validation).is_err());
    }

    #[test]
    fn other_algorithms_are_refused_without_a_panic() {
        install();
        let key = EncodingKey::from_secret(b"k");
        let err = jsonwebtoken::encode(
            &jsonwebtoken::Header::new(Algorithm::HS256),
            &serde_json::json!({}),
            &key,
        )
        .unwrap_err();
        assert_eq!(*err.kind(), ErrorKind::InvalidAlgorithm);
    }
}
