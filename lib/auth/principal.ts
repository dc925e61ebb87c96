/**
 * Who is calling, as resolved by the authorizer. API Gateway passes the authorizer's context to
 * the handler; everything else about the caller is derived from it here.
 */
export interface PartnerPrincipal {
  kind: 'partner';
  partnerId: string;
  partnerName: string;
  fineIncrements: boolean;
}

export interface StoragePrincipal {
  kind: 'storage';
}

export interface AnonymousPrincipal {
  kind: 'anonymous';
}

export type Principal = PartnerPrincipal | StoragePrincipal | AnonymousPrincipal;
export type PrincipalKind = Principal['kind'];

/** The authorizer context is flat strings/booleans: API Gateway caches and forwards it as is. */
export type AuthorizerContext = Record<string, string | boolean | number>;

export function toAuthorizerContext(principal: Principal): AuthorizerContext {
  switch (principal.kind) {
    case 'partner':
      return {
        kind: 'partner',
        partnerId: principal.partnerId,
        partnerName: principal.partnerName,
        fineIncrements: principal.fineIncrements,
      };
    case 'storage':
      return { kind: 'storage' };
    default:
      return { kind: 'anonymous' };
  }
}

export function fromAuthorizerContext(context: unknown): Principal {
  if (!context || typeof context !== 'object') return { kind: 'anonymous' };
  const c = context as Record<string, unknown>;
  if (c.kind === 'partner' && typeof c.partnerId === 'string' && c.partnerId) {
    return {
      kind: 'partner',
      partnerId: c.partnerId,
      partnerName: typeof c.partnerName === 'string' ? c.partnerName : '',
      fineIncrements: c.fineIncrements === true || c.fineIncrements === 'true',
    };
  }
  if (c.kind === 'storage') return { kind: 'storage' };
  return { kind: 'anonymous' };
}
