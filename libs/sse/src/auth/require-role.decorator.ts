import { SetMetadata } from '@nestjs/common';
import { REQUIRED_ROLE_METADATA } from '../sse.constants.js';

/**
 * Lets only clients whose token has `role` in its `roles` claim through `JwtClientGuard`.
 * @publicApi
 */
export const RequireRole = (role: string) => SetMetadata(REQUIRED_ROLE_METADATA, role);
