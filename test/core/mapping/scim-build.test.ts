import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { UserProfile } from '../../../src/core/types.js';
import { ENTERPRISE_USER_SCHEMA, USER_SCHEMA } from '../../../src/core/scim/schema.js';
import {
  buildScimUser,
  compileMappings,
  DEFAULT_SCIM_MAPPINGS,
  mappedAttributes,
  type Mapping,
} from '../../../src/core/mapping/index.js';
import { userInput as input } from './helpers.js';

const ENT = ENTERPRISE_USER_SCHEMA;
const USERNAME: Mapping = { target: 'userName', expression: 'user.login' };

const FULL: UserProfile = {
  login: 'jane.doe@example.com',
  email: 'jane.doe@example.com',
  secondEmail: 'jane@home.example',
  firstName: 'Jane',
  lastName: 'Doe',
  middleName: 'Q',
  honorificPrefix: 'Dr.',
  honorificSuffix: 'PhD',
  displayName: 'Jane Doe',
  nickName: 'JD',
  title: 'Engineer',
  userType: 'Employee',
  profileUrl: 'https://example.com/jane',
  preferredLanguage: 'en',
  locale: 'en-US',
  timezone: 'Europe/Berlin',
  primaryPhone: '+1 555 0100',
  mobilePhone: '+1 555 0101',
  streetAddress: '1 Main St',
  city: 'Springfield',
  state: 'IL',
  zipCode: '62701',
  countryCode: 'US',
  postalAddress: '1 Main St, Springfield IL 62701',
  employeeNumber: 1042,
  costCenter: 'CC-7',
  organization: 'Acme',
  division: 'R&D',
  department: 'Platform',
  managerId: 'usr_boss',
  favouriteColour: 'teal',
};

describe('buildScimUser with the default mapping', () => {
  const defaults = compileMappings(DEFAULT_SCIM_MAPPINGS);

  it('builds the full SCIM User body for a full profile', () => {
    assert.deepEqual(buildScimUser(defaults, input(FULL)), {
      schemas: [USER_SCHEMA, ENT],
      userName: 'jane.doe@example.com',
      name: { givenName: 'Jane', familyName: 'Doe', middleName: 'Q', honorificPrefix: 'Dr.', honorificSuffix: 'PhD' },
      displayName: 'Jane Doe',
      nickName: 'JD',
      title: 'Engineer',
      userType: 'Employee',
      profileUrl: 'https://example.com/jane',
      preferredLanguage: 'en',
      locale: 'en-US',
      timezone: 'Europe/Berlin',
      emails: [
        { type: 'work', value: 'jane.doe@example.com', primary: true },
        { type: 'home', value: 'jane@home.example' },
      ],
      phoneNumbers: [
        { type: 'work', value: '+1 555 0100', primary: true },
        { type: 'mobile', value: '+1 555 0101' },
      ],
      addresses: [
        {
          type: 'work',
          primary: true,
          streetAddress: '1 Main St',
          locality: 'Springfield',
          region: 'IL',
          postalCode: '62701',
          country: 'US',
          formatted: '1 Main St, Springfield IL 62701',
        },
      ],
      [ENT]: { employeeNumber: '1042', costCenter: 'CC-7', organization: 'Acme', division: 'R&D', department: 'Platform' },
    });
  });

  it('builds only userName and schemas for a login-only profile', () => {
    assert.deepEqual(buildScimUser(defaults, input({ login: 'solo' })), { schemas: [USER_SCHEMA], userName: 'solo' });
  });

  it('leaves out empty values and elements with nothing in them, and the extension when unused', () => {
    const sparse: UserProfile = { login: 'sam', firstName: 'Sam', lastName: '', email: null, mobilePhone: '+44 7700 900000', city: 'Leeds' };
    assert.deepEqual(buildScimUser(defaults, input(sparse)), {
      schemas: [USER_SCHEMA],
      userName: 'sam',
      name: { givenName: 'Sam' },
      phoneNumbers: [{ type: 'mobile', value: '+44 7700 900000' }],
      addresses: [{ type: 'work', primary: true, locality: 'Leeds' }],
    });
  });

  it('reads the attributes the default mapping needs', () => {
    const read = mappedAttributes(defaults);
    for (const a of ['login', 'email', 'firstName', 'zipCode', 'department', 'mobilePhone']) assert.ok(read.includes(a), a);
    assert.ok(!read.includes('managerId'));
    assert.ok(!read.includes('favouriteColour'));
  });
});

describe('buildScimUser with custom mappings', () => {
  const build = (mappings: Mapping[], profile: UserProfile) => buildScimUser(compileMappings(mappings), input(profile));

  it('derives a unix-style userName from the email and falls back with ?:', () => {
    const body = build(
      [
        { target: 'userName', expression: 'String.toLowerCase(String.substringBefore(user.email, "@"))' },
        { target: 'displayName', expression: 'user.displayName ?: String.join(" ", user.firstName, user.lastName)' },
      ],
      { login: 'x', email: 'John.Doe@example.com', firstName: 'John', lastName: 'Doe' },
    );
    assert.deepEqual(body, { schemas: [USER_SCHEMA], userName: 'john.doe', displayName: 'John Doe' });
  });

  it('orders elements by first mapping and marks only the work element primary, whatever the case of its type', () => {
    const body = build(
      [
        USERNAME,
        { target: 'emails[type eq "home"].value', expression: 'user.secondEmail' },
        { target: 'emails[type eq "Work"].value', expression: 'user.email' },
        { target: 'emails[type eq "other"].value', expression: 'user.missing' },
      ],
      { login: 'x', email: 'w@example.com', secondEmail: 'h@example.com' },
    );
    assert.deepEqual(body['emails'], [
      { type: 'home', value: 'h@example.com' },
      { type: 'Work', value: 'w@example.com', primary: true },
    ]);
  });

  it('merges mappings to the same element and marks no primary without a work element', () => {
    const body = build(
      [
        USERNAME,
        { target: 'addresses[type eq "home"].locality', expression: 'user.city' },
        { target: 'addresses[type eq "home"].country', expression: '"DE"' },
      ],
      { login: 'x', city: 'Berlin' },
    );
    assert.deepEqual(body['addresses'], [{ type: 'home', locality: 'Berlin', country: 'DE' }]);
  });

  it('stringifies numbers and booleans for string attributes', () => {
    const body = build(
      [USERNAME, { target: 'title', expression: 'user.level' }, { target: 'nickName', expression: 'user.flag' }, { target: 'employeeNumber', expression: '1 + 2' }],
      { login: 'x', level: 3, flag: false },
    );
    assert.deepEqual(body, { schemas: [USER_SCHEMA, ENT], userName: 'x', title: '3', nickName: 'false', [ENT]: { employeeNumber: '3' } });
  });

  it('nests the enterprise manager under its URN', () => {
    const body = build([USERNAME, { target: `${ENT}:manager.value`, expression: 'user.managerId' }], { login: 'x', managerId: 'mgr-1' });
    assert.deepEqual(body, { schemas: [USER_SCHEMA, ENT], userName: 'x', [ENT]: { manager: { value: 'mgr-1' } } });
  });

  it('leaves userName out when its expression yields nothing (the caller refuses such a body)', () => {
    const body = build([{ target: 'userName', expression: 'user.employeeId' }], { login: 'x' });
    assert.deepEqual(body, { schemas: [USER_SCHEMA] });
  });

  it('uses status and id like any other value', () => {
    const body = build(
      [USERNAME, { target: 'userType', expression: 'user.status == "ACTIVE" ? "Employee" : "Former"' }, { target: 'nickName', expression: 'user.id' }],
      { login: 'x' },
    );
    assert.deepEqual(body, { schemas: [USER_SCHEMA], userName: 'x', userType: 'Employee', nickName: 'usr_1' });
  });
});
