import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import type { JwtService } from '@nestjs/jwt';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { EnvelopeValidationPipe, SSE_JWT_SERVICE } from 'nestjs-sse-hub';
import { DEV_TOKEN_TTL_SECONDS, devTokenClaims } from './dev-token-claims.js';
import { DevTokenResponseDto } from './dev-token-response.dto.js';
import { DevTokenRequestDto } from './dev-token.dto.js';

/** POST /auth/dev-token: mints a token for trying the hub. Never registered in production. */
@ApiTags('development')
@Controller('auth/dev-token')
export class DevTokenController {
  constructor(@Inject(SSE_JWT_SERVICE) private readonly jwt: JwtService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Mint a token for trying the hub (only with SSE_DEV_TOKENS on; never in production)' })
  @ApiOkResponse({ type: DevTokenResponseDto })
  @ApiBadRequestResponse({ description: 'A bad claim' })
  async mint(
    @Body(new EnvelopeValidationPipe()) body: DevTokenRequestDto,
  ): Promise<{ token: string }> {
    const token = await this.jwt.signAsync(devTokenClaims(body), { expiresIn: DEV_TOKEN_TTL_SECONDS });
    return { token };
  }
}
