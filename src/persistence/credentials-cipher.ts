import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** The stored key was encrypted with another CREDENTIALS_SECRET (or is damaged): it must be stored again. */
export class CredentialDecryptError extends Error {
  constructor() {
    super('stored credential cannot be decrypted: CREDENTIALS_SECRET changed since it was saved');
    this.name = 'CredentialDecryptError';
  }
}

/**
 * Encrypts stored Qoo10 keys with AES-256-GCM. The stored form is `v1:<iv>:<tag>:<ciphertext>`
 * (base64 parts); the key is SHA-256 of CREDENTIALS_SECRET. Errors never include the plaintext.
 */
export class CredentialsCipher {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = createHash('sha256').update(secret, 'utf8').digest();
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':');
  }

  decrypt(stored: string): string {
    const [version, iv, tag, body] = stored.split(':');
    if (version !== 'v1' || !iv || !tag || body === undefined) throw new CredentialDecryptError();
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new CredentialDecryptError();
    }
  }
}

/** A short, stable, non-reversible name for a key: safe to log and to match on. */
export function keyFingerprint(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 16);
}
